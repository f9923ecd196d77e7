import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { App } from './types.js';

/**
 * Fastify with the validation Steward wants: unknown fields are an error, not silently dropped
 * (`removeAdditional: false`); query-string numbers are coerced; defaults applied.
 */
export function createFastify(log: Logger, opts: { bodyLimit: number; https?: { key: string; cert: string } }): App {
  const base = {
    loggerInstance: log as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: opts.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' as const, useDefaults: true, allErrors: false } },
  };
  // An HTTPS instance has another server type parameter; routes and hooks are the same.
  const app: FastifyInstance = opts.https ? (Fastify({ ...base, https: opts.https }) as unknown as FastifyInstance) : Fastify(base);
  app.addHook('onResponse', (req, reply, done) => {
    if (reply.statusCode >= 500) req.log.error({ url: req.url, status: reply.statusCode }, 'request failed');
    else if (reply.statusCode >= 400) req.log.info({ url: req.url, method: req.method, status: reply.statusCode }, 'request refused');
    done();
  });
  return app.withTypeProvider();
}
