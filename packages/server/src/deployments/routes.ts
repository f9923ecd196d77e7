import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { DeploymentService } from './service.js';

/** Deployments and their monitoring: the table declares the routes, the service decides. */
export function registerDeploymentRoutes(app: App, deployments: DeploymentService): void {
  implement(app, ops.deployments, {
    list: (req) => deployments.list(actorOf(req), req.query),
    create: (req) => deployments.create(actorOf(req), req.body),
    get: (req) => deployments.get(actorOf(req), req.params.id),
    update: (req) => deployments.update(actorOf(req), req.params.id, req.body),
    remove: (req) => deployments.remove(actorOf(req), req.params.id),
    rerun: (req) => deployments.rerun(actorOf(req), req.params.id, req.body),
    addAssignment: (req) => deployments.addAssignment(actorOf(req), req.params.id, req.body.at),
    summary: (req) => deployments.summary(actorOf(req), req.params.id),
    devices: (req) => deployments.devices(actorOf(req), req.params.id, req.query),
    ofDevice: (req) => deployments.deviceDeployments(actorOf(req), req.params.id),
  });
}
