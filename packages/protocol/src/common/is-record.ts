/**
 * Whether `value` is an object whose fields can be read one by one (not null, not an array): the
 * first step of parsing JSON, a file or a message from outside, where every field read is
 * `unknown` until it is checked.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
