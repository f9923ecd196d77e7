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
 * A compiled check of `schema`, built once per schema. In a browser page (the console) the
 * Content-Security-Policy has no 'unsafe-eval', so TypeBox cannot compile (it builds a Function)
 * and even trying reports a CSP violation; there the check interprets the schema with
 * `Value.Check`: same answers, slower. Node (the CLI, scripts, tests) compiles.
 */
export function responseCheck(schema: TSchema): ResponseCheck {
  let found = checks.get(schema);
  if (!found) {
    found = 'document' in globalThis ? interpreted(schema) : compiled(schema);
    checks.set(schema, found);
  }
  return found;
}

function describe(e: { path: string; message: string } | undefined): string {
  return e ? `${e.path || '/'}: ${e.message}` : 'does not match';
}

function compiled(schema: TSchema): ResponseCheck {
  const check = TypeCompiler.Compile(schema);
  return { check: (v) => check.Check(v), firstError: (v) => describe(check.Errors(v).First()) };
}

function interpreted(schema: TSchema): ResponseCheck {
  return {
    check: (v) => Value.Check(schema, v),
    firstError: (v) => describe(Value.Errors(schema, v).First()),
  };
}
