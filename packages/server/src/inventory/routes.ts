import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { InventoryClassService } from './class-service.js';
import type { PolicyService } from '../agent-api/policy.js';
import type { ClientSettingsService } from '../client-settings/service.js';

export function registerInventoryRoutes(
  app: App,
  classes: InventoryClassService,
  policy: PolicyService,
  clientSettings: ClientSettingsService,
): void {
  implement(app, ops.inventory, {
    listClasses: (req) => classes.list(actorOf(req)),
    getClass: (req) => classes.get(actorOf(req), req.params.name),
    createClass: (req) => classes.save(actorOf(req), req.body, 'create'),
    updateClass: (req) => classes.save(actorOf(req), req.body, 'update', req.params.name),
    removeClass: (req) => classes.remove(actorOf(req), req.params.name),
    getClientSettings: (req) => policy.getSettings(actorOf(req)),
    updateClientSettings: (req) => clientSettings.updateSiteSettings(actorOf(req), req.body),
  });
}
