import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { CollectionService } from './service.js';

/** Collections and the query language: the table declares the routes, the service decides. */
export function registerCollectionRoutes(app: App, service: CollectionService): void {
  implement(app, ops.collections, {
    list: (req) => service.list(actorOf(req)),
    create: (req) => service.create(actorOf(req), req.body),
    preview: (req) => service.preview(actorOf(req), req.body),
    get: (req) => service.get(actorOf(req), req.params.id),
    update: (req) => service.update(actorOf(req), req.params.id, req.body),
    remove: (req) => service.remove(actorOf(req), req.params.id),
    members: (req) => service.members(actorOf(req), req.params.id, req.query),
    membershipHistory: (req) => service.membershipHistory(actorOf(req), req.params.id, req.query),
    revisions: (req) => service.revisions(actorOf(req), req.params.id),
    restoreRevision: (req) =>
      service.restoreRevision(actorOf(req), req.params.id, req.params.revision),
    evaluate: (req) => service.evaluate(actorOf(req), req.params.id),
    validateQuery: (req) => service.validateQuery(actorOf(req), req.body.query),
    completions: (req) => service.completions(actorOf(req), req.query.class),
  });
}
