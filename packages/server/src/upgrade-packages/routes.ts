import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { UpgradePackageService } from './service.js';

/** Upgrade packages (issue 11, ADR 0102). */
export function registerUpgradePackageRoutes(app: App, upgrades: UpgradePackageService): void {
  implement(app, ops.upgradePackages, {
    list: (req) => upgrades.list(actorOf(req), req.query),
    create: (req) => upgrades.create(actorOf(req), req.body),
    get: (req) => upgrades.get(actorOf(req), req.params.id),
    update: (req) => upgrades.update(actorOf(req), req.params.id, req.body),
    delete: (req) => upgrades.delete(actorOf(req), req.params.id),
  });
}
