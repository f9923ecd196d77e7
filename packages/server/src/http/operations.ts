import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import {
  API_PREFIX,
  isAgentAccess,
  successStatus,
  type BodyOf,
  type Operation,
  type OperationGroup,
  type ParamsOf,
  type QueryOf,
  type ResultOf,
} from '@steward/protocol';
import { authorize } from '../context.js';
import { actorOf } from './auth.js';
import type { App } from './types.js';

/** The request a handler of `O` receives: params, query and body typed from the operation. */
export type OperationRequest<O extends Operation> = FastifyRequest<{
  Params: ParamsOf<O>;
  Querystring: QueryOf<O>;
  Body: BodyOf<O>;
}>;

/**
 * What a domain supplies for one operation: the answer's body. The status comes from the
 * table; `reply` is there for the few that set cookies or headers.
 */
export type OperationHandler<O extends Operation> = (
  req: OperationRequest<O>,
  reply: FastifyReply,
) => ResultOf<O> | Promise<ResultOf<O>>;

export type Handlers<G extends OperationGroup> = { [K in keyof G]: OperationHandler<G[K]> };

/** The Fastify route schema of an operation: what validates requests and feeds the OpenAPI document. */
export function routeSchema(op: Operation): FastifySchema {
  return {
    summary: op.summary,
    ...(op.errors.length > 0
      ? { description: `Error codes beyond the generic ones: ${op.errors.join(', ')}.` }
      : {}),
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
  app.route({
    method: op.method,
    url: `${API_PREFIX}${op.path}`,
    schema: routeSchema(op),
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
      // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- Fastify validated params, query and body against this operation's schemas (routeSchema) before the handler runs
      const result = await handler(request as unknown as OperationRequest<O>, reply);
      if (status === 204) return reply.status(204).send();
      return reply.status(status).send(result);
    },
  });
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
