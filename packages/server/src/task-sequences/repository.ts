import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable, type Tx } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { checkRow } from '../db/corrupt-row.js';

export type SequenceRow = Selectable<Database['task_sequence']>;
export type VersionRow = Selectable<Database['task_sequence_version']>;
type VariableTable = 'collection_ts_variable' | 'device_ts_variable';

/** A task sequence by id, else by exact name (an id always wins). */
export async function findSequence(
  db: Queryable,
  idOrName: string,
): Promise<SequenceRow | undefined> {
  const row =
    (await db
      .selectFrom('task_sequence')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    (await db
      .selectFrom('task_sequence')
      .selectAll()
      .where('name', '=', idOrName)
      .executeTakeFirst());
  return row && checkRow('task_sequence', row.id, row);
}

export async function findVersion(
  db: Queryable,
  sequenceId: string,
  version: number,
): Promise<VersionRow | undefined> {
  return db
    .selectFrom('task_sequence_version')
    .selectAll()
    .where('sequence_id', '=', sequenceId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listSequences(
  db: Queryable,
  opts: { search?: string; kind?: SequenceRow['kind']; offset: number; limit: number },
): Promise<{ rows: (SequenceRow & { step_count: number })[]; total: number }> {
  let q = db
    .selectFrom('task_sequence as s')
    .innerJoin('task_sequence_version as v', (j) =>
      j.onRef('v.sequence_id', '=', 's.id').onRef('v.version', '=', 's.version'),
    );
  if (opts.search)
    q = q.where(sql<boolean>`lower(s.name) like ${containsPattern(opts.search)} escape '\\'`);
  if (opts.kind) q = q.where('s.kind', '=', opts.kind);
  const total = await q.select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('s')
    .select('v.step_count')
    .orderBy('s.name')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
  return { rows: rows.map((r) => checkRow('task_sequence', r.id, r)), total: toNumber(total.n) };
}

export async function insertSequence(
  tx: Tx,
  row: Insertable<Database['task_sequence']>,
): Promise<void> {
  await tx.insertInto('task_sequence').values(row).execute();
}

export async function setCurrentVersion(
  tx: Tx,
  id: string,
  values: {
    name: string;
    description: string;
    kind: SequenceRow['kind'];
    version: number;
    updated_at: string;
    updated_by: string;
  },
): Promise<void> {
  await tx.updateTable('task_sequence').set(values).where('id', '=', id).execute();
}

export async function insertVersion(
  tx: Tx,
  row: Insertable<Database['task_sequence_version']>,
): Promise<void> {
  await tx.insertInto('task_sequence_version').values(row).execute();
}

export async function versionsOf(db: Queryable, sequenceId: string): Promise<VersionRow[]> {
  return db
    .selectFrom('task_sequence_version')
    .selectAll()
    .where('sequence_id', '=', sequenceId)
    .orderBy('version', 'desc')
    .execute();
}

export async function deleteSequence(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('task_sequence').where('id', '=', id).execute();
}

export async function deploymentCount(db: Queryable, sequenceId: string): Promise<number> {
  const r = await db
    .selectFrom('task_sequence_deployment')
    .select((e) => e.fn.countAll().as('n'))
    .where('sequence_id', '=', sequenceId)
    .executeTakeFirstOrThrow();
  return toNumber(r.n);
}

/** Which of `ids` name no row of `table` (the references a sequence makes, checked on save). */
export async function missingIds(
  db: Queryable,
  table: 'program' | 'driver' | 'os_image' | 'boot_image' | 'upgrade_package',
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await db
    .selectFrom(table)
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  const have = new Set(found.map((r) => r.id));
  return ids.filter((id) => !have.has(id));
}

export async function variablesOf(
  db: Queryable,
  table: VariableTable,
  targetId: string,
): Promise<{ name: string; value: string }[]> {
  return db
    .selectFrom(table)
    .select(['name', 'value'])
    .where('target_id', '=', targetId)
    .orderBy('name')
    .execute();
}

export async function replaceVariables(
  tx: Tx,
  table: VariableTable,
  targetId: string,
  variables: readonly { name: string; value: string }[],
): Promise<void> {
  await tx.deleteFrom(table).where('target_id', '=', targetId).execute();
  if (variables.length > 0)
    await tx
      .insertInto(table)
      .values(variables.map((v) => ({ target_id: targetId, name: v.name, value: v.value })))
      .execute();
}

/**
 * The newest versions whose steps mention a text (an upgrade package's id): a cheap filter the
 * caller confirms by parsing the steps (a mention in a name is not a reference).
 */
export async function currentVersionsMentioning(
  db: Queryable,
  text: string,
): Promise<{ id: string; name: string; steps: string }[]> {
  return db
    .selectFrom('task_sequence as s')
    .innerJoin('task_sequence_version as v', (j) =>
      j.onRef('v.sequence_id', '=', 's.id').onRef('v.version', '=', 's.version'),
    )
    .select(['s.id', 's.name', 'v.steps'])
    .where(sql<boolean>`v.steps like ${containsPattern(text)} escape '\\'`)
    .orderBy('s.name')
    .execute();
}
