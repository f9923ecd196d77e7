import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '@steward/protocol';
import type { Actor } from '../context.js';
import { UnauthenticatedError } from './errors.js';
import type { App } from './types.js';
import type { UserService } from '../users/service.js';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return undefined;
}

/** Every admin API route needs a session unless its config says `public: true`. */
export function installAdminAuth(app: App, users: UserService): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.routeOptions.config.public) return;
    const token = bearerToken(request);
    if (!token)
      throw new UnauthenticatedError(
        ErrorCode.UNAUTHENTICATED,
        'send "Authorization: Bearer <token>" (steward login)',
      );
    const { actor } = await users.authenticate(token);
    request.actor = actor;
  });
}

/** The acting admin of a request that passed the auth hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}
