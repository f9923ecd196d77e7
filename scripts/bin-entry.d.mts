// Types of bin-entry.mjs for the TypeScript tests (test-support/bin-entry.test.ts).
export interface Bundle {
  entry: string;
  outdir: string;
  outfile: string;
  sources: string[];
  splitting: boolean;
}
export const BUNDLES: { cli: Bundle; agent: Bundle };
export function entryFor(
  bundle: Bundle,
  root?: string,
  env?: Readonly<Record<string, string | undefined>>,
): string;
export function runBin(bundle: Bundle): Promise<void>;
