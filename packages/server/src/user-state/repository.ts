import type { Insertable, Selectable } from 'kysely';
import type { UserStateListQuery, UserStateRecordState } from '@steward/protocol';
import type { Database } from '../db/tables/index.js';
import { checkRow } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';

/** SQL of user state (ADR 0017: SQL only here; ADR 0096). */

export type DpStateMigrationRow = Selectable<Database['dp_state_migration']>;
export type UserStateRow = Selectable<Database['user_state_record']>;
export type AssociationRow = Selectable<Database['computer_association']>;

export async function findDpStateMigration(
  db: Queryable,
  dpId: string,
): Promise<DpStateMigrationRow | undefined> {
  const row = await db
    .selectFrom('dp_state_migration')
    .selectAll()
    .where('dp_id', '=', dpId)
    .executeTakeFirst();
  return row ? checkRow('dp_state_migration', row.dp_id, row) : undefined;
}

export async function saveDpStateMigration(
  db: Queryable,
  row: Insertable<Database['dp_state_migration']>,
): Promise<void> {
  const { dp_id: _, ...rest } = row;
  await db
    .insertInto('dp_state_migration')
    .values(row)
    .onConflict((oc) => oc.column('dp_id').doUpdateSet(rest))
    .execute();
}

/** Enabled state migration points on standalone DPs, with their name. */
export async function enabledPoints(
  db: Queryable,
): Promise<(DpStateMigrationRow & { name: string; url: string | null })[]> {
  const rows = await db
    .selectFrom('dp_state_migration as s')
    .innerJoin('distribution_point as d', 'd.id', 's.dp_id')
    .selectAll('s')
    .select(['d.name', 'd.url'])
    .where('s.enabled', '=', 1)
    .where('d.is_site_server', '=', 0)
    .orderBy('d.name')
    .execute();
  return rows.map(({ name, url, ...r }) => ({
    ...checkRow('dp_state_migration', r.dp_id, r),
    name,
    url,
  }));
}

/** Records holding (or about to hold) an archive on a DP. */
const HOLDING: readonly UserStateRecordState[] = ['requested', 'captured', 'restored'];

export async function countHolding(db: Queryable, dpId: string): Promise<number> {
  const row = await db
    .selectFrom('user_state_record')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('dp_id', '=', dpId)
    .where('state', 'in', HOLDING)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function holdingIds(db: Queryable, dpId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_state_record')
    .select('id')
    .where('dp_id', '=', dpId)
    .where('state', 'in', HOLDING)
    .execute();
  return rows.map((r) => r.id);
}

export async function insertRecord(
  db: Queryable,
  row: Insertable<Database['user_state_record']>,
): Promise<void> {
  await db.insertInto('user_state_record').values(row).execute();
}

export async function findRecord(db: Queryable, id: string): Promise<UserStateRow | undefined> {
  const row = await db
    .selectFrom('user_state_record')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? checkRow('user_state_record', row.id, row) : undefined;
}

export async function listRecords(db: Queryable, q: UserStateListQuery): Promise<UserStateRow[]> {
  let query = db.selectFrom('user_state_record').selectAll();
  if (q.state) query = query.where('state', '=', q.state);
  const computer = q.computer;
  if (computer !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb('source_computer_id', '=', computer),
        eb('destination_computer_id', '=', computer),
      ]),
    );
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => checkRow('user_state_record', r.id, r));
}

/** The newest captured record meant for a destination computer. */
export async function newestCapturedFor(
  db: Queryable,
  destinationId: string,
): Promise<UserStateRow | undefined> {
  const row = await db
    .selectFrom('user_state_record')
    .selectAll()
    .where('destination_computer_id', '=', destinationId)
    .where('state', '=', 'captured')
    .orderBy('captured_at', 'desc')
    .executeTakeFirst();
  return row ? checkRow('user_state_record', row.id, row) : undefined;
}

export async function updateRecord(
  db: Queryable,
  id: string,
  set: Partial<Insertable<Database['user_state_record']>>,
): Promise<void> {
  await db.updateTable('user_state_record').set(set).where('id', '=', id).execute();
}

/** Captured records of a source, re-pointed at a new destination (an association made later). */
export async function redirectCaptured(
  db: Queryable,
  sourceId: string,
  destination: { id: string; name: string },
): Promise<void> {
  await db
    .updateTable('user_state_record')
    .set({ destination_computer_id: destination.id, destination_name: destination.name })
    .where('source_computer_id', '=', sourceId)
    .where('state', 'in', ['requested', 'captured'])
    .execute();
}

export async function deleteRecord(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('user_state_record').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Restored records with their point's retention days (the service compares the dates). */
export async function restoredWithRetention(
  db: Queryable,
): Promise<(UserStateRow & { retention_days: number | null })[]> {
  const rows = await db
    .selectFrom('user_state_record as r')
    .leftJoin('dp_state_migration as s', 's.dp_id', 'r.dp_id')
    .selectAll('r')
    .select('s.retention_days')
    .where('r.state', '=', 'restored')
    .execute();
  return rows.map(({ retention_days, ...r }) => ({
    ...checkRow('user_state_record', r.id, r),
    retention_days,
  }));
}

/** Requested records made before `before`: captures that never finished. */
export async function abandonedRequests(db: Queryable, before: string): Promise<UserStateRow[]> {
  const rows = await db
    .selectFrom('user_state_record')
    .selectAll()
    .where('state', '=', 'requested')
    .where('created_at', '<', before)
    .execute();
  return rows.map((r) => checkRow('user_state_record', r.id, r));
}

export async function listAssociations(db: Queryable): Promise<AssociationRow[]> {
  const rows = await db
    .selectFrom('computer_association')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => checkRow('computer_association', r.id, r));
}

export async function findAssociationBySource(
  db: Queryable,
  sourceId: string,
): Promise<AssociationRow | undefined> {
  const row = await db
    .selectFrom('computer_association')
    .selectAll()
    .where('source_computer_id', '=', sourceId)
    .executeTakeFirst();
  return row ? checkRow('computer_association', row.id, row) : undefined;
}

export async function insertAssociation(
  db: Queryable,
  row: Insertable<Database['computer_association']>,
): Promise<void> {
  await db.insertInto('computer_association').values(row).execute();
}

export async function deleteAssociation(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('computer_association').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** DP names and URLs by id (records show their point's name; runs get its URL). */
export async function dpsById(
  db: Queryable,
): Promise<Map<string, { name: string; url: string | null }>> {
  const rows = await db.selectFrom('distribution_point').select(['id', 'name', 'url']).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, url: r.url }]));
}
