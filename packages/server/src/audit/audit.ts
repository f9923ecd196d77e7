import { Type } from '@sinclair/typebox';
import type { AuditEntry, AuditFacets } from '@steward/protocol';
import { parseJsonColumn } from '../db/corrupt-row.js';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import {
  auditFacets,
  auditTargetNames,
  insertAuditRow,
  listAuditRows,
  type AuditFilter,
} from './repository.js';
import type { Queryable } from '../db/database.js';

/** Writes one audit row; call it inside the transaction that makes the change. */
export async function writeAudit(
  tx: Queryable,
  actor: Actor,
  at: string,
  entry: { action: string; targetType: string; targetId: string; details?: unknown },
): Promise<void> {
  await insertAuditRow(tx, {
    at,
    user_name: actor.userName,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    details: JSON.stringify(entry.details ?? {}),
  });
}

export async function listAudit(
  ctx: SiteContext,
  actor: Actor,
  opts: AuditFilter,
): Promise<AuditEntry[]> {
  authorize(actor, 'audit:read');
  const rows = await listAuditRows(ctx.db.kysely, opts);
  const names = await auditTargetNames(
    ctx.db.kysely,
    rows.map((r) => ({ type: r.target_type, id: r.target_id })),
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at,
    userName: r.user_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    targetName: names.get(`${r.target_type}\u0000${r.target_id}`) ?? null,
    details: parseJsonColumn(Type.Unknown(), r.details, {
      table: 'audit_log',
      id: String(r.id),
      column: 'details',
    }),
  }));
}

export async function listAuditFacets(ctx: SiteContext, actor: Actor): Promise<AuditFacets> {
  authorize(actor, 'audit:read');
  return auditFacets(ctx.db.kysely);
}
