import { Type } from '@sinclair/typebox';
import { API_PREFIX, Program, ProgramBody, UpdateProgramRequest } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { ProgramService } from './program-service.js';

const tags = ['programs'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });

/** Programs under /api/v1: routes parse, the service decides. */
export function registerProgramRoutes(app: App, programs: ProgramService): void {
  app.get(
    `${API_PREFIX}/programs`,
    {
      schema: {
        tags,
        querystring: Type.Object(
          { package: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Program) },
      },
    },
    (req) => programs.list(actorOf(req), req.query.package),
  );
  app.post(
    `${API_PREFIX}/packages/:id/programs`,
    { schema: { tags, params: Params, body: ProgramBody, response: { 201: Program } } },
    async (req, reply) =>
      reply.status(201).send(await programs.create(actorOf(req), req.params.id, req.body)),
  );
  app.get(
    `${API_PREFIX}/programs/:id`,
    { schema: { tags, params: Params, response: { 200: Program } } },
    (req) => programs.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${API_PREFIX}/programs/:id`,
    { schema: { tags, params: Params, body: UpdateProgramRequest, response: { 200: Program } } },
    (req) => programs.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(
    `${API_PREFIX}/programs/:id`,
    { schema: { tags, params: Params } },
    async (req, reply) => {
      await programs.remove(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    `${API_PREFIX}/programs/:id/disable`,
    { schema: { tags, params: Params, response: { 200: Program } } },
    (req) => programs.setDisabled(actorOf(req), req.params.id, true),
  );
  app.post(
    `${API_PREFIX}/programs/:id/enable`,
    { schema: { tags, params: Params, response: { 200: Program } } },
    (req) => programs.setDisabled(actorOf(req), req.params.id, false),
  );
}
