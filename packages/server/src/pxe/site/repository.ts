import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../db/tables/index.js';
import { checkRow } from '../../db/corrupt-row.js';
import type { Queryable } from '../../db/database.js';

/** SQL of PXE on distribution points, as the site keeps it (ADR 0017: SQL only here). */

export type DpPxeRow = Selectable<Database['dp_pxe']>;
export type PxeActivityRow = Selectable<Database['dp_pxe_activity']>;

export async function findDpPxe(db: Queryable, dpId: string): Promise<DpPxeRow | undefined> {
  const row = await db
    .selectFrom('dp_pxe')
    .selectAll()
    .where('dp_id', '=', dpId)
    .executeTakeFirst();
  return row ? checkRow('dp_pxe', row.dp_id, row) : undefined;
}

/** Inserts or replaces a DP's settings row. */
export async function saveDpPxe(db: Queryable, row: Insertable<Database['dp_pxe']>): Promise<void> {
  const { dp_id: _, ...rest } = row;
  await db
    .insertInto('dp_pxe')
    .values(row)
    .onConflict((oc) => oc.column('dp_id').doUpdateSet(rest))
    .execute();
}

export async function pxeBoundaryGroupIds(db: Queryable, dpId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('dp_pxe_boundary_group')
    .select('group_id')
    .where('dp_id', '=', dpId)
    .orderBy('group_id')
    .execute();
  return rows.map((r) => r.group_id);
}

export async function setPxeBoundaryGroups(
  db: Queryable,
  dpId: string,
  groupIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('dp_pxe_boundary_group').where('dp_id', '=', dpId).execute();
  if (groupIds.length > 0)
    await db
      .insertInto('dp_pxe_boundary_group')
      .values(groupIds.map((group_id) => ({ dp_id: dpId, group_id })))
      .execute();
}

/** The address ranges of the boundaries in a DP's PXE boundary groups. */
export async function pxeRanges(
  db: Queryable,
  dpId: string,
): Promise<{ startKey: string; endKey: string }[]> {
  const rows = await db
    .selectFrom('dp_pxe_boundary_group as p')
    .innerJoin('boundary_group_boundary as l', 'l.group_id', 'p.group_id')
    .innerJoin('boundary as b', 'b.id', 'l.boundary_id')
    .select(['b.start_key', 'b.end_key'])
    .distinct()
    .where('p.dp_id', '=', dpId)
    .orderBy('b.start_key')
    .execute();
  return rows.map((r) => ({ startKey: r.start_key, endKey: r.end_key }));
}

export async function insertPxeActivity(
  db: Queryable,
  rows: Insertable<Database['dp_pxe_activity']>[],
): Promise<void> {
  if (rows.length > 0) await db.insertInto('dp_pxe_activity').values(rows).execute();
}

/** Keeps a DP's newest `keep` entries: the log is a window, not a history. */
export async function trimPxeActivity(db: Queryable, dpId: string, keep: number): Promise<void> {
  const edge = await db
    .selectFrom('dp_pxe_activity')
    .select('id')
    .where('dp_id', '=', dpId)
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (edge)
    await db
      .deleteFrom('dp_pxe_activity')
      .where('dp_id', '=', dpId)
      .where('id', '<=', edge.id)
      .execute();
}

/** A DP's entries, newest first; `client` limits them to one machine's MAC. */
export async function listPxeActivity(
  db: Queryable,
  q: { dpId: string; client?: string | undefined; limit: number },
): Promise<PxeActivityRow[]> {
  let query = db.selectFrom('dp_pxe_activity').selectAll().where('dp_id', '=', q.dpId);
  if (q.client !== undefined) query = query.where('client', '=', q.client);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => checkRow('dp_pxe_activity', String(r.id), r));
}
