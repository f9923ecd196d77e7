import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { OsImageBuildService } from './builds.js';
import type { OsImageService } from './service.js';

/** OS images as site content: the admin API (issue 11, ADR 0085, builds ADR 0093). */
export function registerOsImageRoutes(
  app: App,
  images: OsImageService,
  builds: OsImageBuildService,
): void {
  implement(app, ops.osImages, {
    list: (req) => images.list(actorOf(req)),
    import: (req) => images.import(actorOf(req), req.body),
    get: (req) => images.get(actorOf(req), req.params.id),
    delete: (req) => images.delete(actorOf(req), req.params.id),
    distribute: (req) => images.distribute(actorOf(req), req.params.id, req.body),
    contentStatus: (req) => images.contentStatus(actorOf(req), req.params.id),
    build: (req) => builds.build(actorOf(req), req.body),
    listBuilds: (req) => builds.list(actorOf(req)),
    getBuild: (req) => builds.get(actorOf(req), req.params.id),
  });
}
