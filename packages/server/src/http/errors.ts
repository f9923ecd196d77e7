import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ErrorCode, RateLimitedError, type ErrorBody } from '@steward/protocol';
import { isConsoleDeepLink } from './paths.js';

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && 'code' in e;
}

/** One error handler for every route: stable `{code, message, details}` bodies, never a stack. */
export function installErrorHandler(
  app: FastifyInstance,
  opts: { spaIndex?: () => string } = {},
): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const send = (status: number, body: ErrorBody) => reply.status(status).send(body);
    if (error instanceof RateLimitedError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    if (error instanceof AppError) {
      return send(error.status, {
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    if (isFastifyError(error)) {
      if (error.validation) {
        const first = error.validation[0];
        const where = error.validationContext ?? 'body';
        const path = first?.instancePath
          ? `${where}${first.instancePath.replace(/\//g, '.')}`
          : where;
        const extra =
          first?.keyword === 'additionalProperties' && 'additionalProperty' in first.params
            ? ` (unknown field "${String(first.params.additionalProperty)}")`
            : '';
        return send(400, {
          code: ErrorCode.INVALID_INPUT,
          message: `${path} ${first?.message ?? 'is invalid'}${extra}`,
          details: error.validation.map((v) => ({
            path: v.instancePath,
            message: v.message,
            params: v.params,
          })),
        });
      }
      switch (error.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return send(413, {
            code: ErrorCode.BODY_TOO_LARGE,
            message: 'request body is too large',
          });
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return send(415, {
            code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            message: 'send application/json',
          });
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
          return send(400, { code: ErrorCode.INVALID_JSON, message: 'the body is not valid JSON' });
      }
      if (error instanceof SyntaxError || error.statusCode === 400) {
        return send(400, {
          code: ErrorCode.INVALID_JSON,
          message: `the body is not valid JSON: ${error.message}`,
        });
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return send(error.statusCode, { code: ErrorCode.INVALID_INPUT, message: error.message });
      }
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(500, { code: ErrorCode.INTERNAL, message: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // The console is a single-page app: its deep links are served index.html. Decided on the
    // decoded, normalised path, so /%61pi/... is never mistaken for a console page.
    if (opts.spaIndex && request.method === 'GET' && isConsoleDeepLink(request.url)) {
      return reply.type('text/html').send(opts.spaIndex());
    }
    return reply
      .status(404)
      .send({ code: ErrorCode.ROUTE_NOT_FOUND, message: `no route ${request.method} ${path}` });
  });
}
