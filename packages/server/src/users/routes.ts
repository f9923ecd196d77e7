import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  CreateUserRequest,
  LoginRequest,
  LoginResponse,
  UpdateUserRequest,
  User,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import {
  clearSessionCookies,
  sessionCredentials,
  setSessionCookies,
} from '../http/session-cookie.js';
import type { UserService } from './service.js';

export function registerUserRoutes(app: App, users: UserService): void {
  app.post(
    `${API_PREFIX}/auth/login`,
    {
      config: { public: true },
      schema: { tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse } },
    },
    async (req, reply) => {
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
  );
  app.post(`${API_PREFIX}/auth/logout`, { schema: { tags: ['auth'] } }, async (req, reply) => {
    const credentials = sessionCredentials(req);
    if (credentials) await users.logout(actorOf(req), credentials.token);
    clearSessionCookies(req, reply);
    return reply.status(204).send();
  });
  app.get(
    `${API_PREFIX}/auth/me`,
    { schema: { tags: ['auth'], response: { 200: User } } },
    async (req) => users.me(actorOf(req)),
  );
  app.get(
    `${API_PREFIX}/users`,
    { schema: { tags: ['users'], response: { 200: Type.Array(User) } } },
    (req) => users.list(actorOf(req)),
  );
  app.post(
    `${API_PREFIX}/users`,
    { schema: { tags: ['users'], body: CreateUserRequest, response: { 201: User } } },
    async (req, reply) => reply.status(201).send(await users.create(actorOf(req), req.body)),
  );
  app.patch(
    `${API_PREFIX}/users/:id`,
    {
      schema: {
        tags: ['users'],
        params: Type.Object({ id: Type.String() }),
        body: UpdateUserRequest,
        response: { 200: User },
      },
    },
    (req) => users.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(
    `${API_PREFIX}/users/:id`,
    { schema: { tags: ['users'], params: Type.Object({ id: Type.String() }) } },
    async (req, reply) => {
      await users.remove(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
