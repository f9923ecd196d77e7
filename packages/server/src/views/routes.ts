import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ViewService } from './service.js';

export function registerViewRoutes(app: App, views: ViewService): void {
  implement(app, ops.views, {
    list: (req) => views.list(actorOf(req), req.query.list),
    get: (req) => views.get(actorOf(req), req.params.id),
    create: (req) => views.create(actorOf(req), req.body),
    update: (req) => views.update(actorOf(req), req.params.id, req.body),
    remove: (req) => views.remove(actorOf(req), req.params.id),
    setDefault: (req) => views.setDefault(actorOf(req), req.params.id),
    clearDefault: (req) => views.clearDefault(actorOf(req), req.params.id),
  });
}
