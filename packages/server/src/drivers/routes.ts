import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { DriverService } from './service.js';

/** The driver catalog (issue 11, ADR 0055). */
export function registerDriverRoutes(app: App, drivers: DriverService): void {
  implement(app, ops.drivers, {
    list: (req) => drivers.list(actorOf(req), req.query),
    import: (req) => drivers.import(actorOf(req), req.body, req.query),
    get: (req) => drivers.get(actorOf(req), req.params.id),
    update: (req) => drivers.update(actorOf(req), req.params.id, req.body),
    delete: (req) => drivers.delete(actorOf(req), req.params.id),
    categories: (req) => drivers.categories(actorOf(req)),
    forDevice: (req) => drivers.forDevice(actorOf(req), req.params.id),
  });
}
