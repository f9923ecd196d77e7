import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type {
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
  FastifyServerOptions,
} from 'fastify';
import { ErrorCode, findUnsafeText, type ErrorBody, InputError, isRecord } from '@steward/protocol';
import type { App } from './types.js';
import { isKnownSafeText } from './safe-bodies.js';

function warnUnlessUnicodeNotice(...args: unknown[]): void {
  if (typeof args[0] === 'string' && args[0].startsWith('DEPRECATED: option unicode')) return;
  console.warn(...args);
}

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    // Lengths in UTF-16 code units, as TypeBox's Value.Check (used when stored rows are read
    // back, by the agent on its policy, by the console) and every `.length` in the code measure
    // them. Counted in code points here, a 300-emoji description (600 units) passed a 500 limit
    // at creation and then failed every later check: the class was stored but never loaded.
    // ajv calls the option deprecated (it still honours it); say so once here, not at every start.
    unicode: false,
    logger: { log: console.log, warn: warnUnlessUnicodeNotice, error: console.error },
    ...options,
  });
  // TypeBox emits these keywords for documentation; they are not validation rules.
  ajv.addKeyword('kind').addKeyword('modifier');
  addFormats.default(ajv);
  return ajv;
}

/**
 * Bodies are validated strictly: a number where a string belongs is an error, never coerced
 * (`{"name": 42}` must not become a collection named "42"). Query strings and path parameters
 * arrive as text, so they are coerced to the declared types.
 */
export function validatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    if (!isRecord(schema)) throw new TypeError('a route schema is not an object');
    return lazyValidator(() => ajv.compile(schema));
  };
}

/** What Fastify needs of a validator: a call that says valid or not, then its errors. */
interface Validator {
  (data: unknown): boolean;
  errors?: ValidateFunction['errors'];
}

/**
 * Compiles a route's schema at its first request instead of at start-up (ADR 0080). Compiling
 * every operation's schemas eagerly was half of a server's start (measured: ~29 of 59 s of CPU
 * under load, with serialisers the other half), paid by every server, DP and test site, most of
 * whose routes are never called. Fastify reads `errors` off the function after a failed call, as
 * from Ajv's own. Every schema is still compiled once in a test (operation-schemas.test.ts), so a
 * bad one fails CI rather than its first request.
 */
function lazyValidator(compile: () => ValidateFunction): Validator {
  let compiled: ValidateFunction | undefined;
  const validate: Validator = (data) => {
    compiled ??= compile();
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null;
  return validate;
}

/**
 * Schema option for a route's root body schema: the route takes text that may hold NULs or lone
 * surrogates and makes it safe itself (data that is a machine's own, cleaned item by item).
 */
export interface UnsafeTextOption {
  allowUnsafeText?: boolean;
}

function bodyAllowsUnsafeText(request: FastifyRequest): boolean {
  const body: unknown = request.routeOptions.schema?.body;
  return typeof body === 'object' && body !== null && 'allowUnsafeText' in body
    ? body.allowUnsafeText === true
    : false;
}

/**
 * Refuses, for every route of `app` (with or without schemas), any string or key in the path
 * parameters, the query string or the body that holds a NUL or a lone surrogate: PostgreSQL
 * cannot store a NUL and neither dialect stores a lone surrogate faithfully, so such text would
 * otherwise fail deep in a query (a 500) or be stored differently on the two dialects. Runs
 * before schema validation so routes without a params schema (and `%00` in any id) are covered.
 * Headers need no check: Node refuses NUL in them and decodes them as Latin-1.
 */
export function installUnsafeTextCheck(app: App): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
    ];
    if (!bodyAllowsUnsafeText(request) && !isKnownSafeText(request.body))
      parts.push(['body', request.body]);
    for (const [location, value] of parts) {
      const path = findUnsafeText(value);
      if (path === undefined) continue;
      throw new InputError(
        ErrorCode.INVALID_TEXT,
        `${location}${path.replace(/\//g, '.')} holds a NUL character or an unpaired surrogate, which the site cannot store`,
        { location, path },
      );
    }
  });
}

/**
 * Errors the router raises before any route runs. A URL whose percent-encoding does not decode to
 * text (`%E0%A4%A`, an encoded lone surrogate) gets the same body shape as every other refusal.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error,
  _request,
  reply,
) => {
  const status = error.code === 'FST_ERR_BAD_URL' ? 400 : (error.statusCode ?? 500);
  const body: ErrorBody = {
    code:
      error.code === 'FST_ERR_BAD_URL'
        ? ErrorCode.INVALID_TEXT
        : status < 500
          ? ErrorCode.INVALID_INPUT
          : ErrorCode.INTERNAL,
    message: error.message,
  };
  // The raw response: this runs before a route (and its typed reply) is known.
  reply.raw.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  reply.raw.end(JSON.stringify(body));
};
