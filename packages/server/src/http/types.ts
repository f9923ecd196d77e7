import type {} from '@fastify/cookie';
import type {} from '@fastify/swagger';
import type {} from '@fastify/websocket';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Actor } from '../context.js';

/** The Fastify instance type every route module receives (TypeBox schemas give typed requests). */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on admin routes. */
    actor: Actor | null;
    /** Set by the device-auth hook on agent routes. */
    deviceId: string | null;
  }
  interface FastifyContextConfig {
    /** Admin routes that need no session (login, health, OpenAPI). */
    public?: boolean;
  }
}
