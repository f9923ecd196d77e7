import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  CreatePhasedDeploymentRequest,
  HaltPhasedDeploymentRequest,
  PhasedDeployment,
} from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import type { PhasedDeploymentService } from './service.js';

const tags = ['phased-deployments'];
const base = `${API_PREFIX}/phased-deployments`;
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Phased deployments under /api/v1: routes parse, the service decides. */
export function registerPhasedDeploymentRoutes(app: App, service: PhasedDeploymentService): void {
  app.get(base, { schema: { tags, response: { 200: Type.Array(PhasedDeployment) } } }, (req) =>
    service.list(actorOf(req)),
  );
  app.post(
    base,
    { schema: { tags, body: CreatePhasedDeploymentRequest, response: { 201: PhasedDeployment } } },
    async (req, reply) => reply.status(201).send(await service.create(actorOf(req), req.body)),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: Params, response: { 200: PhasedDeployment } } },
    (req) => service.get(actorOf(req), req.params.id),
  );
  app.post(
    `${base}/:id/halt`,
    {
      schema: {
        tags,
        params: Params,
        body: HaltPhasedDeploymentRequest,
        response: { 200: PhasedDeployment },
      },
      // The reason is optional, and so is the body (`curl -X POST .../halt` halts).
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    (req) => service.halt(actorOf(req), req.params.id, req.body.reason),
  );
  app.post(
    `${base}/:id/resume`,
    { schema: { tags, params: Params, response: { 200: PhasedDeployment } } },
    (req) => service.resume(actorOf(req), req.params.id),
  );
}
