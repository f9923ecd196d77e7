import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { UpdateCatalogService } from './service.js';

/** Update sources, their syncs, and the update catalog. */
export function registerUpdateCatalogRoutes(app: App, catalog: UpdateCatalogService): void {
  implement(app, ops.updateCatalog, {
    listSources: (req) => catalog.listSources(actorOf(req)),
    createSource: (req) => catalog.createSource(actorOf(req), req.body),
    getSource: (req) => catalog.getSource(actorOf(req), req.params.id),
    updateSource: (req) => catalog.updateSource(actorOf(req), req.params.id, req.body),
    deleteSource: (req) => catalog.deleteSource(actorOf(req), req.params.id),
    syncSource: (req) => catalog.startSync(actorOf(req), req.params.id),
    listSyncs: (req) => catalog.listSyncs(actorOf(req), req.params.id, req.query),
    listUpdates: (req) => catalog.listUpdates(actorOf(req), req.query),
    getUpdate: (req) => catalog.getUpdate(actorOf(req), req.params.id),
  });
}
