import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { UpdateDeploymentMonitor } from './update-deployment-status.js';
import type { UpdateDeploymentService } from './update-deployment-service.js';
import type { SelectedUpdatesDeployer } from './selection-deploy.js';

/** Update deployments and their monitoring (ADR 0056). */
export function registerUpdateDeploymentRoutes(
  app: App,
  svc: UpdateDeploymentService,
  monitor: UpdateDeploymentMonitor,
  selection: SelectedUpdatesDeployer,
): void {
  implement(app, ops.updateDeployments, {
    listUpdateDeployments: async (req) => {
      const items = await svc.list(actorOf(req));
      return { items, total: items.length };
    },
    createUpdateDeployment: (req) => svc.create(actorOf(req), req.body),
    deploySelectedUpdates: (req) => selection.deploy(actorOf(req), req.body),
    getUpdateDeployment: (req) => svc.get(actorOf(req), req.params.id),
    updateUpdateDeployment: (req) => svc.update(actorOf(req), req.params.id, req.body),
    deleteUpdateDeployment: (req) => svc.remove(actorOf(req), req.params.id),
    removeUpdateDeploymentUpdate: (req) =>
      svc.removeUpdate(actorOf(req), req.params.id, req.params.updateId),
    redeployFailed: (req) => svc.redeployFailed(actorOf(req), req.params.id),
    updateDeploymentStatus: (req) => monitor.status(actorOf(req), req.params.id),
    updateDeploymentDevices: (req) => monitor.devices(actorOf(req), req.params.id, req.query),
  });
}
