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
// Any NUL or surrogate at all: a plain character class, which V8 scans far faster than UNSAFE's
// look-arounds. Almost every string crossing the agent endpoint (inventory, status messages) has
// none, so UNSAFE only runs on the rare string with an emoji or worse (bench:checkin profile).
const MAYBE_UNSAFE = /[\u0000\uD800-\uDFFF]/;

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

// In JSON text, a NUL or a surrogate can only be written as a \u escape: JSON refuses raw control
// characters in strings, and a lone surrogate cannot be UTF-8 (the decoder makes it U+FFFD).
const JSON_ESCAPE_OF_UNSAFE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Whether JSON text may hold unsafe text once parsed. `false` is certain: no string or key of
 * `JSON.parse(json)` holds a NUL or a surrogate, so nothing needs walking. `true` only means
 * "walk it" (an escaped backslash followed by `u0000` also matches). One scan of the raw text
 * costs a tenth of the parse; a walk of the parsed value costs half the parse.
 */
export function jsonTextMayHoldUnsafeText(json: string): boolean {
  return JSON_ESCAPE_OF_UNSAFE.test(json);
}

/** Whether a string holds a NUL or a lone surrogate. */
export function isUnsafeText(s: string): boolean {
  return MAYBE_UNSAFE.test(s) && UNSAFE.test(s);
}

/**
 * Whether any string in `value` (keys included) is unsafe text. The walk of
 * {@link findUnsafeText} without building a path for every node: the common answer, "none",
 * costs no allocation.
 */
export function hasUnsafeText(value: unknown): boolean {
  if (typeof value === 'string') return isUnsafeText(value);
  if (Array.isArray(value)) {
    for (const item of value) if (hasUnsafeText(item)) return true;
    return false;
  }
  if (isPlainObject(value)) {
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      if (isUnsafeText(k) || hasUnsafeText(value[k])) return true;
    }
  }
  return false;
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
  return hasUnsafeText(value) ? pathOfUnsafeText(value, path) : undefined;
}

function pathOfUnsafeText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isUnsafeText(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfUnsafeText(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (isUnsafeText(k)) return `${path}/${toSafeText(k)}`;
      const found = pathOfUnsafeText(v, `${path}/${k}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * `value` with every string (keys included) made safe with {@link toSafeText}: `value` itself
 * when it holds no unsafe text (the common case, no copy), else a deep copy.
 */
export function withSafeText<T>(value: T): T {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the copy has the shape of `value` (strings replaced by strings); the input was parsed before
  return hasUnsafeText(value) ? (cleanValue(value) as T) : value;
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return isUnsafeText(value) ? toSafeText(value) : value;
  if (Array.isArray(value)) return value.map(cleanValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[isUnsafeText(k) ? toSafeText(k) : k] = cleanValue(v);
    return out;
  }
  return value;
}
