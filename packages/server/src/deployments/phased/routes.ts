import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { PhasedDeploymentService } from './service.js';

/** Phased deployments: the table declares the routes, the service decides. */
export function registerPhasedDeploymentRoutes(app: App, service: PhasedDeploymentService): void {
  implement(app, ops.phasedDeployments, {
    list: (req) => service.list(actorOf(req)),
    create: (req) => service.create(actorOf(req), req.body),
    get: (req) => service.get(actorOf(req), req.params.id),
    halt: (req) => service.halt(actorOf(req), req.params.id, req.body.reason),
    resume: (req) => service.resume(actorOf(req), req.params.id),
  });
}
