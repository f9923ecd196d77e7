import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { DistributionPointService } from './dp-service.js';
import type { DpGroupService } from './dp-group-service.js';
import type { DistributionService } from './distribution-service.js';

export interface DistributionRouteDeps {
  dps: DistributionPointService;
  groups: DpGroupService;
  distribution: DistributionService;
}

/** Distribution points, DP groups, package distribution and the distribution reports. */
export function registerDistributionRoutes(app: App, deps: DistributionRouteDeps): void {
  const { dps, groups, distribution } = deps;
  implement(app, ops.distributionPoints, {
    list: (req) => dps.list(actorOf(req)),
    create: (req) => dps.create(actorOf(req), req.body),
    get: (req) => dps.get(actorOf(req), req.params.id),
    update: (req) => dps.update(actorOf(req), req.params.id, req.body),
    remove: (req) => dps.remove(actorOf(req), req.params.id),
    renewToken: (req) => dps.renewToken(actorOf(req), req.params.id),
    content: (req) => distribution.dpContent(actorOf(req), req.params.id),
  });
  implement(app, ops.dpGroups, {
    list: (req) => groups.list(actorOf(req)),
    create: (req) => groups.create(actorOf(req), req.body),
    get: (req) => groups.get(actorOf(req), req.params.id),
    update: (req) => groups.update(actorOf(req), req.params.id, req.body),
    remove: (req) => groups.remove(actorOf(req), req.params.id),
    addMembers: (req) => groups.addMembers(actorOf(req), req.params.id, req.body.dpIds),
    removeMember: (req) => groups.removeMember(actorOf(req), req.params.id, req.params.dp),
    distributeToNewMembers: (req) => groups.distributeToNewMembers(actorOf(req), req.params.id),
  });
  implement(app, ops.packageDistribution, {
    distribute: (req) => distribution.distribute(actorOf(req), req.params.id, req.body),
    removeFromDp: (req) => distribution.removeFromDp(actorOf(req), req.params.id, req.params.dp),
    contentStatus: (req) => distribution.contentStatus(actorOf(req), req.params.id),
    validate: (req) => distribution.validate(actorOf(req), req.params.id, req.body.dpIds),
  });
  implement(app, ops.distributionReports, {
    status: (req) => distribution.distributionStatusReport(actorOf(req), req.query),
    dpCompletion: (req) => distribution.dpCompletionReport(actorOf(req)),
  });
}
