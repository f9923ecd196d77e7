import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  Deployment,
  DeploymentBody,
  DeploymentDeviceState,
  DeploymentSummary,
  ExtraAssignmentRequest,
  ListDeploymentDevicesQuery,
  RerunDeploymentRequest,
  UpdateDeploymentRequest,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { DeploymentService } from './service.js';

const tags = ['deployments'];
const base = `${API_PREFIX}/deployments`;
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });
const ListQuery = Type.Object(
  {
    program: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    package: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);

/** Deployments and their monitoring under /api/v1: routes parse, the service decides. */
export function registerDeploymentRoutes(app: App, deployments: DeploymentService): void {
  app.get(
    base,
    { schema: { tags, querystring: ListQuery, response: { 200: Type.Array(Deployment) } } },
    (req) => deployments.list(actorOf(req), req.query),
  );
  app.post(
    base,
    { schema: { tags, body: DeploymentBody, response: { 201: Deployment } } },
    async (req, reply) => reply.status(201).send(await deployments.create(actorOf(req), req.body)),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: Params, response: { 200: Deployment } } },
    (req) => deployments.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        params: Params,
        body: UpdateDeploymentRequest,
        response: { 200: Deployment },
      },
    },
    (req) => deployments.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: Params } }, async (req, reply) => {
    await deployments.remove(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
  app.post(
    `${base}/:id/rerun`,
    {
      schema: { tags, params: Params, body: RerunDeploymentRequest, response: { 200: Deployment } },
    },
    (req) => deployments.rerun(actorOf(req), req.params.id, req.body.deviceIds),
  );
  app.post(
    `${base}/:id/assignments`,
    {
      schema: { tags, params: Params, body: ExtraAssignmentRequest, response: { 200: Deployment } },
    },
    (req) => deployments.addAssignment(actorOf(req), req.params.id, req.body.at),
  );
  registerMonitoringRoutes(app, deployments);
}

function registerMonitoringRoutes(app: App, deployments: DeploymentService): void {
  app.get(
    `${base}/:id/summary`,
    { schema: { tags, params: Params, response: { 200: DeploymentSummary } } },
    (req) => deployments.summary(actorOf(req), req.params.id),
  );
  app.get(
    `${base}/:id/devices`,
    {
      schema: {
        tags,
        params: Params,
        querystring: ListDeploymentDevicesQuery,
        response: {
          200: Type.Object({ items: Type.Array(DeploymentDeviceState), total: Type.Integer() }),
        },
      },
    },
    (req) => deployments.devices(actorOf(req), req.params.id, req.query),
  );
  app.get(
    `${API_PREFIX}/devices/:id/deployments`,
    { schema: { tags, params: Params, response: { 200: Type.Array(DeploymentDeviceState) } } },
    (req) => deployments.deviceDeployments(actorOf(req), req.params.id),
  );
}
