/**
 * Text that both database dialects can store. PostgreSQL refuses a NUL character in `text` and
 * `jsonb`, and a lone UTF-16 surrogate cannot be encoded as UTF-8 at all (it becomes U+FFFD on
 * one dialect and an error on the other). Every string crossing a boundary is checked with these
 * helpers: input from administrators is refused with a clear error naming the field; data that is
 * a machine's own (inventory values, command output) is cleaned instead, because the machine
 * cannot be asked to send it again differently.
 */

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_GLOBAL = new RegExp(UNSAFE.source, 'g');

/**
 * Parsed input is made of arrays and plain objects: `{}`, `Object.create(null)`, or a null-based
 * object one level down (what the query-string and route-parameter parsers build). Anything else
 * (a Buffer or a stream given as a raw body, with its circular internals) is not text to walk.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Whether a string holds a NUL or a lone surrogate. */
export function isUnsafeText(s: string): boolean {
  return UNSAFE.test(s);
}

/** The string with NULs removed and lone surrogates replaced by U+FFFD. */
export function toSafeText(s: string): string {
  return s.replace(UNSAFE_GLOBAL, (m) => (m === '\u0000' ? '' : '\uFFFD'));
}

/**
 * The JSON-pointer-like path (`/items/3/name`, or `` for the value itself) of the first string
 * in `value` (keys included) that is not safe text, or undefined when there is none. Only strings,
 * arrays and plain objects are walked: parsed JSON, not Buffers or streams.
 */
export function findUnsafeText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isUnsafeText(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (isUnsafeText(k)) return `${path}/${toSafeText(k)}`;
      const found = findUnsafeText(v, `${path}/${k}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A deep copy of `value` with every string (keys included) made safe with {@link toSafeText}. */
export function withSafeText<T>(value: T): T {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the copy has the shape of `value` (strings replaced by strings); the input was parsed before
  return cleanValue(value) as T;
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return isUnsafeText(value) ? toSafeText(value) : value;
  if (Array.isArray(value)) return value.map(cleanValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[toSafeText(k)] = cleanValue(v);
    return out;
  }
  return value;
}
