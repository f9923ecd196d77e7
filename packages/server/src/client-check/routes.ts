import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ClientCheckService } from './service.js';

/** Client check results: per device and per collection. */
export function registerClientCheckRoutes(app: App, service: ClientCheckService): void {
  implement(app, ops.clientCheck, {
    device: (req) => service.device(actorOf(req), req.params.id),
    collectionSummary: (req) => service.collectionSummary(actorOf(req), req.params.id),
    failures: (req) => service.failures(actorOf(req), req.query),
  });
}
