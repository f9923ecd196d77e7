import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { BoundaryService } from './boundary-service.js';
import type { ContentLocationService } from './location-service.js';

/** Boundaries, boundary groups and the location troubleshooter. */
export function registerBoundaryRoutes(
  app: App,
  deps: { boundaries: BoundaryService; locations: ContentLocationService },
): void {
  const { boundaries, locations } = deps;
  implement(app, ops.boundaries, {
    list: (req) => boundaries.listBoundaries(actorOf(req)),
    create: (req) => boundaries.createBoundary(actorOf(req), req.body),
    update: (req) => boundaries.updateBoundary(actorOf(req), req.params.id, req.body),
    remove: (req) => boundaries.deleteBoundary(actorOf(req), req.params.id),
  });
  implement(app, ops.boundaryGroups, {
    list: (req) => boundaries.listGroups(actorOf(req)),
    create: (req) => boundaries.createGroup(actorOf(req), req.body),
    resolve: (req) => locations.resolve(actorOf(req), req.query.ip, req.query.packageId),
    get: (req) => boundaries.getGroup(actorOf(req), req.params.id),
    update: (req) => boundaries.updateGroup(actorOf(req), req.params.id, req.body),
    remove: (req) => boundaries.deleteGroup(actorOf(req), req.params.id),
  });
}
