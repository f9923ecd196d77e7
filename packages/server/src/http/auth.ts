import type { FastifyRequest } from 'fastify';
import { ErrorCode, UnauthenticatedError } from '@steward/protocol';
import type { Actor } from '../context.js';
import type { App } from './types.js';
import type { UserService } from '../users/service.js';
import { checkCsrf, clearSessionCookies, sessionCredentials } from './session-cookie.js';

/**
 * Deny by default: every route of the admin app needs a session unless the route that matched
 * says `config: { public: true }`. The decision follows the matched route, never the raw URL,
 * so no spelling of a path (`/%61pi/...`, `//api`, dot segments) can reach a route without it.
 * Unmatched requests pass: the not-found handler answers them with a 404 or the console's
 * public index.html and nothing else.
 */
export function installAdminAuth(app: App, users: UserService): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    const credentials = sessionCredentials(request);
    if (!credentials)
      throw new UnauthenticatedError(
        ErrorCode.UNAUTHENTICATED,
        'send "Authorization: Bearer <token>" (steward login), or sign in to the console',
      );
    try {
      request.actor = (await users.authenticate(credentials.token)).actor;
    } catch (err) {
      // A dead cookie is dropped, so the console does not keep presenting it.
      if (credentials.via === 'cookie') clearSessionCookies(request, reply);
      throw err;
    }
    checkCsrf(request, credentials);
  });
}

/** The acting admin of a request that passed the auth hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}
