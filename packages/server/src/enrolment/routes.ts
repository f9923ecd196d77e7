import { Type } from '@sinclair/typebox';
import { API_PREFIX, CreateEnrolmentTokenRequest, EnrolmentToken } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { EnrolmentService } from './service.js';

export function registerEnrolmentRoutes(app: App, service: EnrolmentService): void {
  app.get(
    `${API_PREFIX}/enrolment-tokens`,
    { schema: { tags: ['enrolment'], response: { 200: Type.Array(EnrolmentToken) } } },
    (req) => service.listTokens(actorOf(req)),
  );
  app.post(
    `${API_PREFIX}/enrolment-tokens`,
    {
      schema: {
        tags: ['enrolment'],
        body: Type.Optional(CreateEnrolmentTokenRequest),
        response: { 201: EnrolmentToken },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createToken(actorOf(req), req.body ?? {})),
  );
  app.delete(
    `${API_PREFIX}/enrolment-tokens/:id`,
    {
      schema: { tags: ['enrolment'], params: Type.Object({ id: Type.String({ maxLength: 100 }) }) },
    },
    async (req, reply) => {
      await service.revokeToken(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
