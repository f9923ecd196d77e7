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
import { actorOf, bearerToken } from '../http/auth.js';
import type { UserService } from './service.js';

export function registerUserRoutes(app: App, users: UserService): void {
  app.post(
    `${API_PREFIX}/auth/login`,
    {
      config: { public: true },
      schema: { tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse } },
    },
    (req) => users.login(req.body.userName, req.body.password, req.ip),
  );
  app.post(`${API_PREFIX}/auth/logout`, { schema: { tags: ['auth'] } }, async (req, reply) => {
    const token = bearerToken(req);
    if (token) await users.logout(token);
    return reply.status(204).send();
  });
  app.get(
    `${API_PREFIX}/auth/me`,
    { schema: { tags: ['auth'], response: { 200: User } } },
    async (req) => {
      const token = bearerToken(req) ?? '';
      return (await users.authenticate(token)).user;
    },
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
