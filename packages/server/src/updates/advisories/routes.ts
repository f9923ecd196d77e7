import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { AdvisoryService } from './service.js';

/** Advisory feeds and imports, advisories, and the CVE view (ADR 0048). */
export function registerAdvisoryRoutes(app: App, advisories: AdvisoryService): void {
  implement(app, ops.advisories, {
    importAdvisories: (req) => advisories.importUpload(actorOf(req), req.query.format, req.body),
    listAdvisories: (req) => advisories.listAdvisories(actorOf(req), req.query),
    getAdvisory: (req) => advisories.getAdvisory(actorOf(req), req.params.id),
    listAdvisoryFeeds: (req) => advisories.listFeeds(actorOf(req)),
    createAdvisoryFeed: (req) => advisories.createFeed(actorOf(req), req.body),
    deleteAdvisoryFeed: (req) => advisories.deleteFeed(actorOf(req), req.params.id),
    importAdvisoryFeed: (req) => advisories.importFeed(actorOf(req), req.params.id),
    listAdvisoryImports: (req) => advisories.listImports(actorOf(req), req.query),
    getCve: (req) => advisories.getCve(actorOf(req), req.params.id, req.query),
  });
}
