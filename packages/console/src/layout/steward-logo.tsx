export function StewardLogo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="var(--mantine-color-indigo-7)" />
      <path
        d="M9 21.5c1.6 1.3 3.9 2 6.6 2 4 0 6.4-1.9 6.4-4.7 0-2.6-1.8-3.8-5.4-4.6l-1.9-.4c-1.7-.4-2.4-.9-2.4-1.8 0-1 1-1.7 2.7-1.7 1.7 0 3.3.6 4.6 1.6l1.6-2.6C19.6 8.2 17.7 7.5 15.3 7.5c-3.8 0-6.2 2-6.2 4.8 0 2.5 1.7 3.8 5.1 4.5l1.9.4c1.9.4 2.6.9 2.6 1.9 0 1.1-1.1 1.8-3 1.8-2 0-3.9-.7-5.4-2z"
        fill="#fff"
      />
    </svg>
  );
}
