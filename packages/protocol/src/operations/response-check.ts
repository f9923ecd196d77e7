import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

// TypeBox refuses values with an unregistered `format`; the protocol uses `date-time`.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

/** Checks one value against one schema; `firstError` says where it does not match. */
export interface ResponseCheck {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
}

const checks = new WeakMap<TSchema, ResponseCheck>();

/**
 * A compiled check of `schema`, built once per schema. The console runs under a
 * Content-Security-Policy without 'unsafe-eval', where TypeBox cannot compile (it builds a
 * Function); there the check interprets the schema with `Value.Check`, same answers, slower.
 */
export function responseCheck(schema: TSchema): ResponseCheck {
  let found = checks.get(schema);
  if (!found) {
    found = build(schema);
    checks.set(schema, found);
  }
  return found;
}

function build(schema: TSchema): ResponseCheck {
  const describe = (e: { path: string; message: string } | undefined) =>
    e ? `${e.path || '/'}: ${e.message}` : 'does not match';
  try {
    const compiled = TypeCompiler.Compile(schema);
    return {
      check: (v) => compiled.Check(v),
      firstError: (v) => describe(compiled.Errors(v).First()),
    };
  } catch {
    return {
      check: (v) => Value.Check(schema, v),
      firstError: (v) => describe(Value.Errors(schema, v).First()),
    };
  }
}
