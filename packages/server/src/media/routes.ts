import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ContentStore } from '../content/content-store.js';
import { sendStoredFile } from '../content/serve-file.js';
import type { MediaService } from './service.js';

/** Task-sequence media: the admin API (issue 11, ADR 0089). */
export function registerMediaRoutes(app: App, media: MediaService, store: ContentStore): void {
  implement(app, ops.media, {
    list: (req) => media.list(actorOf(req)),
    create: (req) => media.create(actorOf(req), req.body),
    get: (req) => media.get(actorOf(req), req.params.id),
    delete: (req) => media.delete(actorOf(req), req.params.id),
    file: async (req, reply) => {
      const file = await media.file(actorOf(req), req.params.id);
      void reply.header('content-disposition', `attachment; filename="${file.name}"`);
      return sendStoredFile(reply, { store, sha256: file.sha256, rangeHeader: req.headers.range });
    },
  });
}
