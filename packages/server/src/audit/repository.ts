import type { Insertable, Selectable } from 'kysely';
import type { AuditLogTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

export type AuditRow = Selectable<AuditLogTable>;

export async function insertAuditRow(db: Queryable, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** The audit log newest first, paged backwards with `before` (an id), optionally for one target. */
export function listAuditRows(
  db: Queryable,
  opts: {
    limit: number;
    before?: string | undefined;
    targetType?: string | undefined;
    targetId?: string | undefined;
  },
): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.before) q = q.where('id', '<', Number(opts.before));
  if (opts.targetType) q = q.where('target_type', '=', opts.targetType);
  if (opts.targetId) q = q.where('target_id', '=', opts.targetId);
  return q.execute();
}
