import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  successStatus,
  type AgentAccess,
  type Operation,
  type OperationGroup,
  type ResultOf,
} from '@steward/protocol';
import { acceptRawBodies, rawBodyOf, routeSchema, type OperationRequest } from './operations.js';
import type { App } from './types.js';

/** A WebSocket operation's route: who may upgrade (checked before the upgrade), then the socket. */
export interface WebSocketHandler {
  preValidation: (req: FastifyRequest) => Promise<void>;
  connect: (socket: WebSocket, req: FastifyRequest) => void;
}

/**
 * What a domain supplies for one agent operation: the answer's body (the status comes from the
 * table), the reply for a file download (the handler streams it), or the socket's handler for a
 * WebSocket operation.
 */
export type AgentOperationHandler<O extends Operation> = O['webSocket'] extends object
  ? WebSocketHandler
  : (
      req: OperationRequest<O>,
      reply: FastifyReply,
    ) => O['binaryResponse'] extends true
      ? Promise<FastifyReply>
      : ResultOf<O> | Promise<ResultOf<O>>;

export type AgentHandlers<G extends OperationGroup> = {
  [K in keyof G]: AgentOperationHandler<G[K]>;
};

/** The callers' `onRequest` checks: a stranger is refused before any body is read. */
export type CallerChecks = Partial<
  Record<Extract<AgentAccess, 'device' | 'distribution-point' | 'content-token'>, CallerCheck>
>;
type CallerCheck = (req: FastifyRequest) => Promise<void>;

export interface AgentGroupOptions<G extends OperationGroup> {
  /** The `onRequest` check of each kind of caller the group's operations name. */
  callers?: CallerChecks;
  /** Body limits beyond the listener's default (which holds for strangers). */
  bodyLimits?: { readonly [K in keyof G]?: number };
}

function callerCheck(op: Operation, callers: CallerChecks | undefined): CallerCheck | undefined {
  switch (op.permission) {
    case 'device':
    case 'distribution-point': {
      const check = callers?.[op.permission];
      if (!check) throw new Error(`${op.method} ${op.path}: no check for ${op.permission} callers`);
      return check;
    }
    case 'content-token':
      // A group whose tokens open long uploads checks them before the body (ADR 0094); others
      // check the token's signature in the route.
      return callers?.['content-token'];
    case 'enrolment':
    case 'agent-public':
      // Proved by the body (a one-time secret) or by the route (a token's signature); or public.
      return undefined;
    default:
      throw new Error(`${op.method} ${op.path}: ${op.permission} is not an agent API access`);
  }
}

/**
 * Registers one agent-API operation's route on the agent listener: path, schemas and the caller
 * check from the table, the answer from `handler`. A device's or a DP's credentials are checked in
 * `onRequest` (before the body is read; the handler's own `authenticate` is then a lookup), a
 * WebSocket route checks them in its `preValidation`. Nothing runs per request beyond what the
 * handler does: a 200 handler is Fastify's handler itself.
 */
export function registerAgentOperation<O extends Operation>(
  app: App,
  op: O,
  handler: AgentOperationHandler<O>,
  options: { callers?: CallerChecks; bodyLimit?: number | undefined } = {},
): void {
  const schema = routeSchema(op);
  const base = {
    method: op.method,
    url: op.path,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  };
  if (op.webSocket) {
    // Typed by the conditional handler type: a WebSocket operation's handler is a WebSocketHandler.
    // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the handler type is conditional on op.webSocket, checked just above
    const ws = handler as WebSocketHandler;
    app.get(
      op.path,
      {
        websocket: true,
        schema: { summary: schema.summary, tags: schema.tags },
        preValidation: ws.preValidation,
      },
      ws.connect,
    );
    return;
  }
  const onRequest = callerCheck(op, options.callers);
  // A file is streamed by the handler: no response schema to serialise it with.
  const { response, ...withoutResponse } = schema;
  const status = successStatus(op);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- every non-WebSocket agent handler has this shape (the conditional handler type); Fastify validated the request against routeSchema
  const handled = handler as (req: FastifyRequest, reply: FastifyReply) => unknown;
  // A raw body (an upload) reaches the handler as the unread request stream, never buffered.
  const raw = op.rawBody;
  if (raw) acceptRawBodies(app, raw);
  const reply200 = raw
    ? (req: FastifyRequest, reply: FastifyReply) => {
        req.body = rawBodyOf(req, raw);
        return handled(req, reply);
      }
    : handled;
  app.route({
    ...base,
    schema: op.binaryResponse ? withoutResponse : { ...withoutResponse, response },
    ...(onRequest ? { onRequest } : {}),
    handler:
      status === 200 || op.binaryResponse
        ? reply200
        : async (req: FastifyRequest, reply: FastifyReply) => {
            const result = await reply200(req, reply);
            if (status === 204) return reply.status(204).send();
            return reply.status(status).send(result);
          },
  });
}

/** Registers every operation of an agent-API group; the compiler wants a handler for each. */
export function implementAgent<G extends OperationGroup>(
  app: App,
  group: G,
  handlers: AgentHandlers<G>,
  options: AgentGroupOptions<G> = {},
): void {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the keys of the group itself; Object.keys types them as string
  for (const name of Object.keys(group) as (keyof G & string)[])
    registerAgentOperation<G[typeof name]>(app, group[name], handlers[name], {
      ...(options.callers ? { callers: options.callers } : {}),
      bodyLimit: options.bodyLimits?.[name],
    });
}

/** A route a listener serves, as the operation table names it (`GET /agent/v1/policy`). */
export interface ServedRoute {
  key: string;
  /** The summary of the operation it was registered from (absent: registered by hand). */
  summary: string | undefined;
}

/**
 * Records every route registered on `app` from now on (Fastify's `onRoute`, at start-up only),
 * so the operation-table test can hold the agent listener to the table: no route by hand, no
 * operation left unserved. Fastify's implicit HEAD routes for GET are left out.
 */
export function recordRoutes(app: App): readonly ServedRoute[] {
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const summary = route.schema?.summary;
    for (const method of [route.method].flat()) {
      // Fastify adds a HEAD twin for every GET; it is not a route of its own.
      if (method === 'HEAD') continue;
      routes.push({
        key: `${method} ${route.url}`,
        summary: typeof summary === 'string' ? summary : undefined,
      });
    }
  });
  return routes;
}
