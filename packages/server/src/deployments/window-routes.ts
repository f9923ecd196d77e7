import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { MaintenanceWindowService } from './maintenance-windows.js';

/** Maintenance windows (the schema refuses durations outside `WindowDuration`'s limits). */
export function registerMaintenanceWindowRoutes(app: App, windows: MaintenanceWindowService): void {
  implement(app, ops.maintenanceWindows, {
    list: (req) => windows.list(actorOf(req), req.query.collection),
    create: (req) => windows.create(actorOf(req), req.params.id, req.body),
    get: (req) => windows.get(actorOf(req), req.params.id),
    update: (req) => windows.update(actorOf(req), req.params.id, req.body),
    remove: (req) => windows.remove(actorOf(req), req.params.id),
  });
}
