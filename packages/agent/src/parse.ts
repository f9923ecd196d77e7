import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AgentError } from './errors.js';

// TypeBox refuses values with an unregistered `format`; the protocol uses `date-time`.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
}

const declaresDefaults = new WeakMap<TSchema, boolean>();

/** Whether a `default` keyword appears anywhere in the schema (walked once per schema). */
function hasDefaults(schema: TSchema): boolean {
  let found = declaresDefaults.get(schema);
  if (found === undefined) {
    const seen = new Set<object>();
    const walk = (node: unknown): boolean => {
      if (node === null || typeof node !== 'object' || seen.has(node)) return false;
      seen.add(node);
      if (!Array.isArray(node) && Object.hasOwn(node, 'default')) return true;
      return Object.values(node).some(walk);
    };
    found = walk(schema);
    declaresDefaults.set(schema, found);
  }
  return found;
}

/**
 * Parses data that crossed a boundary (HTTP body, WebSocket frame, file on disk) against a
 * protocol schema: schema defaults are applied first, then the value is checked. Throws an
 * AgentError with `code` (default BAD_RESPONSE) naming the first offending path.
 *
 * A schema that declares no default is only checked: cloning and walking a value for defaults
 * it cannot have cost the agent more than the check itself (a first inventory of ~1,000 packages:
 * 60 ms to clone and 70-130 ms to apply nothing, ADR 0037).
 */
export function parseWith<T extends TSchema>(
  schema: T,
  value: unknown,
  what: string,
  code = 'BAD_RESPONSE',
): Static<T> {
  const withDefaults: unknown = hasDefaults(schema)
    ? Value.Default(schema, Value.Clone(value))
    : value;
  if (Value.Check(schema, withDefaults)) return withDefaults;
  const first = Value.Errors(schema, withDefaults).First();
  const where = first ? `${first.path === '' ? '/' : first.path}: ${first.message}` : 'invalid';
  throw new AgentError(code, `${what} is not valid (${where})`);
}

/** JSON.parse that reports a coded error instead of a SyntaxError. */
export function parseJsonText(text: string, what: string, code = 'BAD_RESPONSE'): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch (err) {
    throw new AgentError(code, `${what} is not valid JSON`, { cause: err });
  }
}
