import type { Insertable, Selectable } from 'kysely';
import type { MulticastSessionState } from '@steward/protocol';
import type { Database } from '../db/tables/index.js';
import { checkRow } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';

/** SQL of multicast on distribution points, as the site keeps it (ADR 0017: SQL only here). */

export type DpMulticastRow = Selectable<Database['dp_multicast']>;
export type MulticastSessionRow = Selectable<Database['dp_multicast_session']>;

export async function findDpMulticast(
  db: Queryable,
  dpId: string,
): Promise<DpMulticastRow | undefined> {
  const row = await db
    .selectFrom('dp_multicast')
    .selectAll()
    .where('dp_id', '=', dpId)
    .executeTakeFirst();
  return row ? checkRow('dp_multicast', row.dp_id, row) : undefined;
}

export async function saveDpMulticast(
  db: Queryable,
  row: Insertable<Database['dp_multicast']>,
): Promise<void> {
  const { dp_id: _, ...rest } = row;
  await db
    .insertInto('dp_multicast')
    .values(row)
    .onConflict((oc) => oc.column('dp_id').doUpdateSet(rest))
    .execute();
}

export async function findSession(
  db: Queryable,
  dpId: string,
  id: string,
): Promise<MulticastSessionRow | undefined> {
  const row = await db
    .selectFrom('dp_multicast_session')
    .selectAll()
    .where('dp_id', '=', dpId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? checkRow('dp_multicast_session', row.id, row) : undefined;
}

/** Inserts or updates one reported session (the DP's id is unique within the DP). */
export async function saveSession(
  db: Queryable,
  row: Insertable<Database['dp_multicast_session']>,
): Promise<void> {
  const { dp_id: _, id: __, ...rest } = row;
  await db
    .insertInto('dp_multicast_session')
    .values(row)
    .onConflict((oc) => oc.columns(['dp_id', 'id']).doUpdateSet(rest))
    .execute();
}

/** Keeps a DP's newest `keep` sessions: the list is a window, not a history. */
export async function trimSessions(db: Queryable, dpId: string, keep: number): Promise<void> {
  const edge = await db
    .selectFrom('dp_multicast_session')
    .select('created_at')
    .where('dp_id', '=', dpId)
    .orderBy('created_at', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (edge)
    await db
      .deleteFrom('dp_multicast_session')
      .where('dp_id', '=', dpId)
      .where('created_at', '<=', edge.created_at)
      .execute();
}

export async function listSessions(
  db: Queryable,
  q: { dpId: string; state?: MulticastSessionState | undefined; limit: number },
): Promise<MulticastSessionRow[]> {
  let query = db.selectFrom('dp_multicast_session').selectAll().where('dp_id', '=', q.dpId);
  if (q.state !== undefined) query = query.where('state', '=', q.state);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(q.limit).execute();
  return rows.map((r) => checkRow('dp_multicast_session', r.id, r));
}
