import { ops } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import { runActivityCheckNow } from './activity-check.js';
import { inactiveClients, inventoryOverdue, type ClientSettingsSource } from './reports.js';

/** Client activity: the activity check on demand and its two reports (ADR 0029). */
export function registerClientActivityRoutes(
  app: App,
  ctx: SiteContext,
  policy: ClientSettingsSource,
): void {
  implement(app, ops.clientActivity, {
    runCheck: (req) => runActivityCheckNow(ctx, actorOf(req)),
    inactive: (req) => inactiveClients(ctx, actorOf(req), req.query),
    inventoryOverdue: (req) => inventoryOverdue(ctx, actorOf(req), policy, req.query),
  });
}
