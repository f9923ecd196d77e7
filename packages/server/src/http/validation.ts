import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
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
    return ajv.compile(schema as object);
  };
}
