import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ClientSettingsService } from './service.js';

/** Client settings objects, their assignments and a device's resultant settings (ADR 0025). */
export function registerClientSettingsRoutes(app: App, service: ClientSettingsService): void {
  implement(app, ops.clientSettingsObjects, {
    list: (req) => service.list(actorOf(req)),
    create: (req) => service.create(actorOf(req), req.body),
    get: (req) => service.get(actorOf(req), req.params.id),
    update: (req) => service.update(actorOf(req), req.params.id, req.body),
    remove: (req) => service.remove(actorOf(req), req.params.id),
    assign: (req) => service.assign(actorOf(req), req.params.id, req.params.collection),
    unassign: (req) => service.unassign(actorOf(req), req.params.id, req.params.collection),
    resultant: (req) => service.resultant(actorOf(req), req.params.id),
  });
}
