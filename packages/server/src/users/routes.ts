import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import {
  clearSessionCookies,
  sessionCredentials,
  setSessionCookies,
} from '../http/session-cookie.js';
import type { UserService } from './service.js';

export function registerUserRoutes(app: App, users: UserService): void {
  implement(app, ops.auth, {
    login: async (req, reply) => {
      const { token, expiresAt, user } = await users.login(
        req.body.userName,
        req.body.password,
        req.ip,
      );
      if (req.body.session !== 'cookie') return { token, expiresAt, user };
      // The console: the token goes only into the HttpOnly cookie, never to its JavaScript.
      const csrfToken = setSessionCookies(req, reply, token, expiresAt);
      return { csrfToken, expiresAt, user };
    },
    logout: async (req, reply) => {
      const credentials = sessionCredentials(req);
      if (credentials) await users.logout(actorOf(req), credentials.token);
      clearSessionCookies(req, reply);
    },
    me: (req) => users.me(actorOf(req)),
  });
  implement(app, ops.users, {
    list: (req) => users.list(actorOf(req)),
    create: (req) => users.create(actorOf(req), req.body),
    update: (req) => users.update(actorOf(req), req.params.id, req.body),
    remove: (req) => users.remove(actorOf(req), req.params.id),
  });
}
