import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { TaskSequenceDeploymentService } from './deployment-service.js';

/** Task-sequence deployments and their runs (issue 11, ADR 0076). */
export function registerTaskSequenceDeploymentRoutes(
  app: App,
  deployments: TaskSequenceDeploymentService,
): void {
  implement(app, ops.taskSequenceDeployments, {
    list: (req) => deployments.list(actorOf(req), req.query),
    create: (req) => deployments.create(actorOf(req), req.body),
    get: (req) => deployments.get(actorOf(req), req.params.id),
    update: (req) => deployments.update(actorOf(req), req.params.id, req.body),
    delete: (req) => deployments.delete(actorOf(req), req.params.id),
    runs: (req) => deployments.runs(actorOf(req), req.params.id),
    run: (req) => deployments.run(actorOf(req), req.params.id, req.params.deviceId),
    deviceRuns: (req) => deployments.deviceRuns(actorOf(req), req.params.id),
  });
}
