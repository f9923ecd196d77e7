/**
 * recharts 2 (under @mantine/charts 8) finds chart children with `isFragment` from react-is 18,
 * which does not recognise React 19 elements (`react.transitional.element`): every area of an
 * AreaChart, wrapped in a fragment, silently disappears. vite.config.ts points recharts' import
 * of react-is here; this `isFragment` knows both element markers.
 */
const FRAGMENT = Symbol.for('react.fragment');
const ELEMENT_MARKERS: ReadonlySet<symbol> = new Set([
  Symbol.for('react.element'),
  Symbol.for('react.transitional.element'),
]);

export function isFragment(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const marker: unknown = Reflect.get(value, '$$typeof');
  return (
    typeof marker === 'symbol' &&
    ELEMENT_MARKERS.has(marker) &&
    Reflect.get(value, 'type') === FRAGMENT
  );
}
