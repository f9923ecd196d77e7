import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { ApprovedContentService } from './content-service.js';
import type { UpdateGroupService } from './group-service.js';

/** Update groups and their approved content. */
export function registerUpdateGroupRoutes(
  app: App,
  groups: UpdateGroupService,
  content: ApprovedContentService,
): void {
  implement(app, ops.updateGroups, {
    listGroups: (req) => groups.listGroups(actorOf(req)),
    createGroup: (req) => groups.createGroup(actorOf(req), req.body),
    getGroup: (req) => groups.getGroup(actorOf(req), req.params.id),
    updateGroup: (req) => groups.updateGroup(actorOf(req), req.params.id, req.body),
    deleteGroup: (req) => groups.deleteGroup(actorOf(req), req.params.id),
    addUpdates: (req) => groups.addUpdates(actorOf(req), req.params.id, req.body.updateIds),
    removeUpdate: (req) => groups.removeUpdate(actorOf(req), req.params.id, req.params.updateId),
    publishContent: (req) => content.publishGroup(actorOf(req), req.params.id),
  });
}
