import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { DeviceService } from './service.js';
import type { BulkDeviceService } from './bulk-service.js';

export function registerDeviceRoutes(
  app: App,
  devices: DeviceService,
  bulk: BulkDeviceService,
): void {
  implement(app, ops.devices, {
    list: (req) => devices.list(actorOf(req), req.query),
    get: (req) => devices.get(actorOf(req), req.params.id),
    packages: (req) => devices.packages(actorOf(req), req.params.id, req.query),
    history: (req) => devices.history(actorOf(req), req.params.id, req.query),
    actions: (req) => devices.actions(actorOf(req), req.params.id),
    requestAction: (req) => devices.requestAction(actorOf(req), req.params.id, req.body.action),
    revoke: (req) => devices.revoke(actorOf(req), req.params.id),
    notifyCollection: (req) =>
      devices.notifyCollection(actorOf(req), req.params.id, req.body.action),
    bulkAction: (req) => bulk.act(actorOf(req), req.body),
  });
}
