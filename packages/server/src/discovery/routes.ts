import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { BulkDiscoveredService } from './bulk-service.js';
import type { DiscoveredMembersService } from './collection-members-service.js';
import type { DiscoveryService } from './service.js';

/** Network discovery: sweeps, discovered machines, settings. */
export function registerDiscoveryRoutes(
  app: App,
  discovery: DiscoveryService,
  members: DiscoveredMembersService,
  bulk: BulkDiscoveredService,
): void {
  implement(app, ops.discovery, {
    startSweep: (req) => discovery.startSweep(actorOf(req), req.body),
    listSweeps: (req) => discovery.listSweeps(actorOf(req), req.query),
    getSweep: (req) => discovery.getSweep(actorOf(req), req.params.id),
    cancelSweep: (req) => discovery.cancelSweep(actorOf(req), req.params.id),
    listMachines: (req) => discovery.listMachines(actorOf(req), req.query),
    bulkAction: (req) => bulk.act(actorOf(req), req.body),
    listCollectionMembers: (req) => members.list(actorOf(req), req.params.id),
    addCollectionMembers: (req) => members.add(actorOf(req), req.params.id, req.body.addresses),
    removeCollectionMember: (req) =>
      members.remove(actorOf(req), req.params.id, req.params.address),
    listCollectionRules: (req) => members.listRules(actorOf(req), req.params.id),
    addCollectionRule: (req) => members.addRule(actorOf(req), req.params.id, req.body),
    removeCollectionRule: (req) =>
      members.removeRule(actorOf(req), req.params.id, req.params.ruleId),
    getSettings: (req) => discovery.getSettings(actorOf(req)),
    updateSettings: (req) => discovery.updateSettings(actorOf(req), req.body),
  });
}
