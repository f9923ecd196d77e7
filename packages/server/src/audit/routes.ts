import { AUDIT_PAGE_SIZE, ops, type AuditEntry } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { Actor } from '../context.js';

type ListAudit = (
  actor: Actor,
  q: {
    limit: number;
    before?: string | undefined;
    targetType?: string | undefined;
    targetId?: string | undefined;
  },
) => Promise<AuditEntry[]>;

export function registerAuditRoutes(app: App, list: ListAudit): void {
  implement(app, ops.audit, {
    // The schema's default fills `limit` before the handler; the fallback satisfies the type.
    list: (req) => list(actorOf(req), { ...req.query, limit: req.query.limit ?? AUDIT_PAGE_SIZE }),
  });
}
