import { DEFAULT_VERSIONS_KEPT, GZIP_MEDIA_TYPES, ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement, mediaTypeOf } from '../http/operations.js';
import type { ContentService } from './service.js';

/** The software library: packages, versions, uploads. The table declares the routes. */
export function registerContentRoutes(app: App, service: ContentService): void {
  implement(app, ops.packages, {
    list: (req) => service.list(actorOf(req), req.query.search),
    create: (req) => service.create(actorOf(req), req.body),
    get: (req) => service.get(actorOf(req), req.params.id),
    update: (req) => service.update(actorOf(req), req.params.id, req.body),
    remove: (req) => service.remove(actorOf(req), req.params.id),
    versions: (req) => service.versions(actorOf(req), req.params.id),
    versionFiles: (req) => service.versionFiles(actorOf(req), req.params.id, req.params.number),
    createVersion: (req) =>
      service.createVersionFromFiles(actorOf(req), req.params.id, req.body.files),
    createVersionFromArchive: (req) =>
      service.createVersionFromArchive(
        actorOf(req),
        req.params.id,
        req.body,
        GZIP_MEDIA_TYPES.has(mediaTypeOf(req)),
      ),
    createVersionFromFolder: (req) =>
      service.createVersionFromFolder(actorOf(req), req.params.id, req.body.path),
    pruneVersions: (req) =>
      service.pruneVersions(actorOf(req), req.params.id, req.body.keep ?? DEFAULT_VERSIONS_KEPT),
  });
  implement(app, ops.content, {
    missing: (req) => service.missing(actorOf(req), req.body.sha256),
    uploadFile: (req) => service.uploadFile(actorOf(req), req.params.sha256, req.body),
    library: (req) => service.library(actorOf(req)),
  });
}
