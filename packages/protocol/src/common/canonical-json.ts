/**
 * Deterministic JSON (object keys sorted, no whitespace). Policies are signed over these bytes,
 * and package sets are hashed over a canonical form, so both sides must produce the same text.
 */
export function canonicalJson(value: unknown): string {
  // What JSON.stringify gives no text for (it returns undefined): null, as it is in an array.
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v)).join(',') + ']';
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v)).join(',') + '}';
}
