import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { TaskSequenceService } from './service.js';

/** Task sequences (issue 11, ADR 0069). */
export function registerTaskSequenceRoutes(app: App, sequences: TaskSequenceService): void {
  implement(app, ops.taskSequences, {
    list: (req) => sequences.list(actorOf(req), req.query),
    create: (req) => sequences.create(actorOf(req), req.body),
    get: (req) => sequences.get(actorOf(req), req.params.id),
    update: (req) => sequences.update(actorOf(req), req.params.id, req.body),
    delete: (req) => sequences.delete(actorOf(req), req.params.id),
    versions: (req) => sequences.versions(actorOf(req), req.params.id),
    version: (req) => sequences.getVersion(actorOf(req), req.params.id, req.params.version),
    collectionVariables: (req) => sequences.variables(actorOf(req), 'collection', req.params.id),
    setCollectionVariables: (req) =>
      sequences.setVariables(actorOf(req), 'collection', req.params.id, req.body),
    deviceVariables: (req) => sequences.variables(actorOf(req), 'device', req.params.id),
    setDeviceVariables: (req) =>
      sequences.setVariables(actorOf(req), 'device', req.params.id, req.body),
  });
}
