import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ProgramService } from './program-service.js';

/** Programs: the table declares the routes, the service decides. */
export function registerProgramRoutes(app: App, programs: ProgramService): void {
  implement(app, ops.programs, {
    list: (req) => programs.list(actorOf(req), req.query.package),
    create: (req) => programs.create(actorOf(req), req.params.id, req.body),
    get: (req) => programs.get(actorOf(req), req.params.id),
    update: (req) => programs.update(actorOf(req), req.params.id, req.body),
    remove: (req) => programs.remove(actorOf(req), req.params.id),
    disable: (req) => programs.setDisabled(actorOf(req), req.params.id, true),
    enable: (req) => programs.setDisabled(actorOf(req), req.params.id, false),
  });
}
