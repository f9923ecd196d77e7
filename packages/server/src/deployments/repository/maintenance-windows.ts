import { Value } from '@sinclair/typebox/value';
import type { Insertable, Selectable } from 'kysely';
import { MaintenanceWindowBody } from '@steward/protocol';
import type { MaintenanceWindowTable } from '../../db/tables/index.js';
import { CorruptRowError, checkRow, parseJsonColumn } from '../../db/corrupt-row.js';
import { columnChanges, type ColumnWriters } from '../../db/setting-columns.js';
import { collectionNames } from '../../collections/repository.js';
import type { Queryable } from '../../db/database.js';

export type WindowRow = Selectable<MaintenanceWindowTable>;

/**
 * The stored window as its body. A row that no longer makes a valid window is corrupt: dropping
 * it from policy would let programs run outside the window the administrator set.
 */
export function windowBodyOf(row: WindowRow): MaintenanceWindowBody {
  checkRow('maintenance_window', row.id, row);
  const where = { table: 'maintenance_window', id: row.id } as const;
  const body: unknown = {
    name: row.name,
    start: row.start,
    durationMinutes: row.duration_minutes,
    recurrence: parseJsonColumn(MaintenanceWindowBody.properties.recurrence, row.recurrence, {
      ...where,
      column: 'recurrence',
    }),
    timeBase: row.time_base,
    appliesTo: row.applies_to,
    enabled: row.enabled === 1,
  };
  if (Value.Check(MaintenanceWindowBody, body)) return body;
  const first = Value.Errors(MaintenanceWindowBody, body).First();
  throw new CorruptRowError(
    { ...where, column: first?.path.slice(1) ?? '' },
    `not a valid maintenance window (${first?.message ?? 'invalid'})`,
  );
}

/** Every field of a window mapped to its columns (a new field does not compile without one). */
const WINDOW_COLUMNS: ColumnWriters<MaintenanceWindowBody, MaintenanceWindowTable> = {
  name: (v) => ({ name: v }),
  start: (v) => ({ start: v }),
  durationMinutes: (v) => ({ duration_minutes: v }),
  recurrence: (v) => ({ recurrence: JSON.stringify(v) }),
  timeBase: (v) => ({ time_base: v }),
  appliesTo: (v) => ({ applies_to: v }),
  enabled: (v) => ({ enabled: v ? 1 : 0 }),
};

/** Windows with their collection's name, by collection then name (optionally filtered). */
export function listWindowRows(
  db: Queryable,
  filter: { collectionId?: string; id?: string },
): Promise<(WindowRow & { collection_name: string })[]> {
  let q = db
    .selectFrom('maintenance_window as w')
    .innerJoin(collectionNames(db).as('c'), 'c.id', 'w.collection_id')
    .selectAll('w')
    .select('c.name as collection_name')
    .orderBy('c.name')
    .orderBy('w.name')
    .orderBy('w.id');
  if (filter.collectionId !== undefined) q = q.where('w.collection_id', '=', filter.collectionId);
  if (filter.id !== undefined) q = q.where('w.id', '=', filter.id);
  return q.execute();
}

export function findWindowRow(db: Queryable, id: string): Promise<WindowRow | undefined> {
  return db.selectFrom('maintenance_window').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertWindow(
  tx: Queryable,
  opts: { id: string; collectionId: string; createdAt: string; body: MaintenanceWindowBody },
): Promise<void> {
  // WINDOW_COLUMNS has one writer per field and the body is complete, so every column is
  // written; the compiler cannot follow the generic walk, hence the type.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  const values = {
    id: opts.id,
    collection_id: opts.collectionId,
    created_at: opts.createdAt,
    ...columnChanges(WINDOW_COLUMNS, opts.body),
  } as Insertable<MaintenanceWindowTable>;
  await tx.insertInto('maintenance_window').values(values).execute();
}

/** Writes the whole (merged, checked) window. */
export async function updateWindow(
  tx: Queryable,
  opts: { id: string; body: MaintenanceWindowBody },
): Promise<void> {
  await tx
    .updateTable('maintenance_window')
    .set(columnChanges(WINDOW_COLUMNS, opts.body))
    .where('id', '=', opts.id)
    .execute();
}

export async function deleteWindow(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('maintenance_window').where('id', '=', id).execute();
}
