import { AUDIT_PAGE_SIZE, ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { SiteContext } from '../context.js';
import { listAudit, listAuditFacets } from './audit.js';

export function registerAuditRoutes(app: App, ctx: SiteContext): void {
  implement(app, ops.audit, {
    // The schema's default fills `limit` before the handler; the fallback satisfies the type.
    list: (req) =>
      listAudit(ctx, actorOf(req), { ...req.query, limit: req.query.limit ?? AUDIT_PAGE_SIZE }),
    facets: (req) => listAuditFacets(ctx, actorOf(req)),
  });
}
