import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { App } from './types.js';
import { listenerOptions, type ListenerExposure } from './listener-hardening.js';
import { frameworkErrors, installUnsafeTextCheck, validatorCompiler } from './validation.js';
import { installJsonParser } from './safe-bodies.js';

/**
 * Fastify's own response serialisers (fast-json-stringify, which also drops properties a schema
 * does not declare), each built at its first response instead of at start-up: building all of
 * them was the other half of a server's start (ADR 0080; validators are lazy in validation.ts).
 */
function lazySerializers(
  ...args: Parameters<ReturnType<typeof SerializerSelector>>
): ReturnType<ReturnType<typeof SerializerSelector>> {
  const build = SerializerSelector()(...args);
  return (route) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc: unknown) => (serialize ??= build(route))(doc);
  };
}

/**
 * Fastify with the validation Steward wants: unknown fields are an error, not silently dropped,
 * and bodies are never type-coerced (see validation.ts).
 */
export function createFastify(
  log: Logger,
  opts: {
    bodyLimit: number;
    https?: { key: string; cert: string };
    plainJson?: boolean;
    /** Which timeouts apply (listener-hardening.ts); 'agent' for listeners facing devices. */
    exposure?: ListenerExposure;
  },
): App {
  const hardening = listenerOptions(opts.exposure ?? 'admin');
  const logger: FastifyBaseLogger = log;
  const base = {
    loggerInstance: logger,
    // No log line per request: at thousands of agent requests a second it was more than half of
    // the server's work (check-in benchmark profile). Refusals and failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    // secure-json-parse scans every body for __proto__/constructor keys. Where every body is
    // validated against closed schemas and records are only read, never merged into objects
    // (the agent endpoint), plain JSON.parse is enough and the scan was ~2% of ingestion.
    ...(opts.plainJson
      ? { onProtoPoisoning: 'ignore' as const, onConstructorPoisoning: 'ignore' as const }
      : {}),
    bodyLimit: opts.bodyLimit,
    frameworkErrors,
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    ...hardening.fastify,
  };
  const app: FastifyInstance = opts.https
    ? Fastify({ ...base, https: { ...opts.https, ...hardening.tls } })
    : Fastify({ ...base, http: hardening.node });
  app.setValidatorCompiler(validatorCompiler());
  installJsonParser(app.withTypeProvider(), {
    poisoning: opts.plainJson ? 'ignore' : 'error',
    bodyLimit: opts.bodyLimit,
  });
  installUnsafeTextCheck(app.withTypeProvider());
  app.addHook('onResponse', (req, reply, done) => {
    if (reply.statusCode >= 500)
      req.log.error({ url: req.url, status: reply.statusCode }, 'request failed');
    else if (reply.statusCode >= 400)
      req.log.info(
        { url: req.url, method: req.method, status: reply.statusCode },
        'request refused',
      );
    done();
  });
  return app.withTypeProvider();
}
