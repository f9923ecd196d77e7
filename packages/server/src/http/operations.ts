import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import {
  API_PREFIX,
  isAgentAccess,
  AppError,
  ErrorCode,
  successStatus,
  type BodyOf,
  type ExportSpec,
  type Operation,
  type OperationGroup,
  type ParamsOf,
  type QueryOf,
  type RawBody,
  type ResultOf,
} from '@steward/protocol';
import { authorize } from '../context.js';
import { actorOf } from './auth.js';
import type { App } from './types.js';

/**
 * The request a handler of `O` receives: params, query and body typed from the operation. The
 * body of a raw-body operation is the request's byte stream, unread.
 */
export type OperationRequest<O extends Operation> = FastifyRequest<{
  Params: ParamsOf<O>;
  Querystring: QueryOf<O>;
  Body: O['rawBody'] extends RawBody ? Readable : BodyOf<O>;
}>;

/**
 * What a domain supplies for one operation: the answer's body. The status comes from the
 * table; `reply` is there for the few that set cookies or headers, and for a file download
 * (`binaryResponse`), which the handler streams itself (`sendStoredFile`).
 */
export type OperationHandler<O extends Operation> = (
  req: OperationRequest<O>,
  reply: FastifyReply,
) => O['export'] extends ExportSpec
  ? Promise<Readable>
  : O['binaryResponse'] extends true
    ? Promise<FastifyReply>
    : ResultOf<O> | Promise<ResultOf<O>>;

/** An operation's handler as registered, untyped: what an export calls its list through. */
export type OperationRunner = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Each app's registered handlers by operation (an export finds its list's here). */
const runners = new WeakMap<App, Map<Operation, OperationRunner>>();

/** The handler `app` registered for `op` (undefined when it serves no such operation). */
export function runnerOf(app: App, op: Operation): OperationRunner | undefined {
  return runners.get(app)?.get(op);
}

export type Handlers<G extends OperationGroup> = { [K in keyof G]: OperationHandler<G[K]> };

/** The Fastify route schema of an operation: what validates requests and feeds the OpenAPI document. */
export function routeSchema(op: Operation): FastifySchema {
  const description = [
    ...(op.rawBody
      ? [`Body: raw bytes (${op.rawBody.mediaTypes.join(', ')}), up to ${op.rawBody.maxBytes}.`]
      : []),
    ...(op.errors.length > 0
      ? [`Error codes beyond the generic ones: ${op.errors.join(', ')}.`]
      : []),
  ].join(' ');
  return {
    summary: op.summary,
    ...(description ? { description } : {}),
    tags: [...op.tags],
    ...(op.params ? { params: op.params } : {}),
    ...(op.query ? { querystring: op.query } : {}),
    ...(op.body ? { body: op.body } : {}),
    response: op.responses,
  };
}

/**
 * Registers one operation's route: path, schemas and permission from the table, the answer from
 * `handler`. The permission is checked before the handler runs; the service checks it again
 * (its own first line), so a handler that forgets nothing and one that forgets everything are
 * refused alike.
 */
export function registerOperation<O extends Operation>(
  app: App,
  op: O,
  handler: OperationHandler<O>,
): void {
  const status = successStatus(op);
  const access = op.permission;
  if (isAgentAccess(access))
    throw new Error(`${op.method} ${op.path} is an agent API operation: implementAgent serves it`);
  const raw = op.rawBody;
  if (raw) acceptRawBodies(app, raw);
  const run: OperationRunner = async (request, reply) =>
    // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- Fastify validated params, query and body against this operation's schemas (routeSchema) before the handler runs
    handler(request as unknown as OperationRequest<O>, reply);
  const registered = runners.get(app) ?? new Map<Operation, OperationRunner>();
  runners.set(app, registered.set(op, run));
  // A file is streamed by the handler: no response schema to serialise it with.
  const { response, ...withoutResponse } = routeSchema(op);
  app.route({
    method: op.method,
    url: `${API_PREFIX}${op.path}`,
    schema: op.binaryResponse ? withoutResponse : { ...withoutResponse, response },
    ...(access === 'public' ? { config: { public: true } } : {}),
    ...(op.bodyMayBeOmitted
      ? {
          preValidation: async (request: FastifyRequest) => {
            request.body ??= {};
          },
        }
      : {}),
    handler: async (request, reply) => {
      if (access !== 'public') {
        const actor = actorOf(request);
        if (access !== 'signed-in') authorize(actor, access);
      }
      if (raw) request.body = rawBodyOf(request, raw);
      const result = await run(request, reply);
      if (op.binaryResponse) return result;
      if (status === 204) return reply.status(204).send();
      return reply.status(status).send(result);
    },
  });
}

/** The media type of a request, without parameters, lower case ('' when there is none). */
export function mediaTypeOf(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Bodies of these media types reach the route as the unread request stream: uploads are
 * streamed to disk, never buffered, whatever their size.
 */
export function acceptRawBodies(app: App, raw: RawBody): void {
  for (const type of raw.mediaTypes)
    if (!app.hasContentTypeParser(type))
      app.addContentTypeParser(type, (_req, payload, done) => {
        done(null, payload);
      });
}

/**
 * The stream of a raw-body request; UNSUPPORTED_MEDIA_TYPE (415) for another media type, and
 * BODY_TOO_LARGE (413) when it says it is longer than the operation takes. Fastify's
 * `bodyLimit` only bounds the parsers that buffer, so the declared length is checked here; a
 * body sent without a length is bounded by what the handler's stream consumer accepts.
 */
export function rawBodyOf(request: FastifyRequest, raw: RawBody): Readable {
  if (!raw.mediaTypes.includes(mediaTypeOf(request)))
    throw new AppError(
      415,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `send ${raw.mediaTypes.join(' or ')}`,
    );
  if (Number(request.headers['content-length']) > raw.maxBytes)
    throw new AppError(
      413,
      ErrorCode.BODY_TOO_LARGE,
      `the body may hold at most ${raw.maxBytes} bytes`,
    );
  // The parser above passes the payload stream on; a body-less request has only the raw one.
  return request.body instanceof Readable ? request.body : request.raw;
}

/** Registers every operation of a domain's group; the compiler wants a handler for each. */
export function implement<G extends OperationGroup>(
  app: App,
  group: G,
  handlers: Handlers<G>,
): void {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the keys of the group itself; Object.keys types them as string
  for (const name of Object.keys(group) as (keyof G & string)[])
    registerOperation<G[typeof name]>(app, group[name], handlers[name]);
}
