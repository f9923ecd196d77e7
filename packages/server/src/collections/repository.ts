import { Type } from '@sinclair/typebox';
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  canonicalJson,
  CollectionDefinition,
  CollectionRule,
  type Collection,
  type CollectionRevision,
  type MembershipChange,
} from '@steward/protocol';
import type { CollectionTable, Database } from '../db/tables/index.js';
import { toNumber } from '../db/database.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';
import type { CollectionNode } from './graph.js';

export type CollectionRow = Selectable<CollectionTable>;
type Tx = Kysely<Database>;

export const DEFAULT_EVALUATION_INTERVAL_MINUTES = 60;

const RuleList = Type.Array(CollectionRule);

/**
 * Stored rules, checked against the schema on the way out. A row that does not parse is corrupt:
 * read as "no rules" it would silently empty the collection and every deployment to it.
 */
export function rulesOf(row: Pick<CollectionRow, 'id' | 'rules'>): CollectionRule[] {
  return parseJsonColumn(RuleList, row.rules, { table: 'collection', id: row.id, column: 'rules' });
}

export function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtin: row.builtin === 1,
    limitingCollectionId: row.limiting_collection_id,
    rules: rulesOf(row),
    evaluationIntervalMinutes: row.evaluation_interval_minutes,
    memberCount: toNumber(row.member_count),
    lastEvaluatedAt: row.last_evaluated_at,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The definition as kept in collection_revision (what restore brings back). */
export function definitionOf(row: CollectionRow): CollectionDefinition {
  return {
    name: row.name,
    description: row.description,
    limitingCollectionId: row.limiting_collection_id,
    rules: rulesOf(row),
    evaluationIntervalMinutes: row.evaluation_interval_minutes,
  };
}

/** Every optional field filled in, so stored definitions compare and revisions read alike. */
export function normaliseDefinition(def: CollectionDefinition): Required<CollectionDefinition> {
  return {
    name: def.name,
    description: def.description ?? '',
    limitingCollectionId: def.limitingCollectionId ?? null,
    rules: def.rules,
    evaluationIntervalMinutes: def.evaluationIntervalMinutes ?? DEFAULT_EVALUATION_INTERVAL_MINUTES,
  };
}

export function sameDefinition(a: CollectionDefinition, b: CollectionDefinition): boolean {
  return canonicalJson(normaliseDefinition(a)) === canonicalJson(normaliseDefinition(b));
}

export function toNode(
  row: Pick<CollectionRow, 'id' | 'limiting_collection_id' | 'rules'>,
): CollectionNode {
  return { id: row.id, limitingCollectionId: row.limiting_collection_id, rules: rulesOf(row) };
}

export function listCollectionRows(db: Tx): Promise<CollectionRow[]> {
  return db.selectFrom('collection').selectAll().orderBy('name').execute();
}

export async function findCollection(db: Tx, idOrName: string): Promise<CollectionRow | undefined> {
  const byId = await db
    .selectFrom('collection')
    .selectAll()
    .where('id', '=', idOrName)
    .executeTakeFirst();
  return (
    byId ?? db.selectFrom('collection').selectAll().where('name', '=', idOrName).executeTakeFirst()
  );
}

/** PostgreSQL: holds the row until the transaction ends, so two processes never diff one collection at once. */
export async function lockCollection(
  db: Tx,
  dialect: 'sqlite' | 'postgres',
  id: string,
): Promise<CollectionRow | undefined> {
  const q = db.selectFrom('collection').selectAll().where('id', '=', id);
  return dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

/** Names are compared without case: "Servers" and "servers" side by side would only confuse. */
export async function nameTaken(db: Tx, name: string, exceptId: string | null): Promise<boolean> {
  let q = db
    .selectFrom('collection')
    .select('id')
    .where(sql<boolean>`lower(name) = lower(${name})`);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function existingIds(
  db: Tx,
  table: 'device' | 'collection',
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.selectFrom(table).select('id').where('id', 'in', chunk).execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

export async function insertCollection(
  db: Tx,
  c: { id: string; definition: CollectionDefinition; builtin: boolean; at: string },
): Promise<void> {
  const def = c.definition;
  await db
    .insertInto('collection')
    .values({
      id: c.id,
      name: def.name,
      description: def.description ?? '',
      builtin: c.builtin ? 1 : 0,
      limiting_collection_id: def.limitingCollectionId ?? null,
      rules: JSON.stringify(def.rules),
      evaluation_interval_minutes:
        def.evaluationIntervalMinutes ?? DEFAULT_EVALUATION_INTERVAL_MINUTES,
      member_count: 0,
      last_evaluated_at: null,
      revision: 1,
      created_at: c.at,
      updated_at: c.at,
    })
    .execute();
}

export async function updateCollectionDefinition(
  db: Tx,
  id: string,
  def: CollectionDefinition,
  revision: number,
  at: string,
): Promise<void> {
  await db
    .updateTable('collection')
    .set({
      name: def.name,
      description: def.description ?? '',
      limiting_collection_id: def.limitingCollectionId ?? null,
      rules: JSON.stringify(def.rules),
      evaluation_interval_minutes:
        def.evaluationIntervalMinutes ?? DEFAULT_EVALUATION_INTERVAL_MINUTES,
      revision,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

export async function insertRevision(
  db: Tx,
  r: {
    collectionId: string;
    revision: number;
    at: string;
    by: string;
    definition: CollectionDefinition;
  },
): Promise<void> {
  await db
    .insertInto('collection_revision')
    .values({
      collection_id: r.collectionId,
      revision: r.revision,
      at: r.at,
      by: r.by,
      definition: JSON.stringify(r.definition),
    })
    .execute();
}

function toRevision(row: {
  collection_id: string;
  revision: number;
  at: string;
  by: string;
  definition: unknown;
}): CollectionRevision {
  const definition = parseJsonColumn(CollectionDefinition, row.definition, {
    table: 'collection_revision',
    id: `${row.collection_id}/${row.revision}`,
    column: 'definition',
  });
  return { revision: row.revision, at: row.at, by: row.by, definition };
}

export async function listRevisions(db: Tx, collectionId: string): Promise<CollectionRevision[]> {
  const rows = await db
    .selectFrom('collection_revision')
    .selectAll()
    .where('collection_id', '=', collectionId)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map(toRevision);
}

export async function findRevision(
  db: Tx,
  collectionId: string,
  revision: number,
): Promise<CollectionRevision | undefined> {
  const row = await db
    .selectFrom('collection_revision')
    .selectAll()
    .where('collection_id', '=', collectionId)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return row ? toRevision(row) : undefined;
}

export async function memberIdsPage(
  db: Tx,
  collectionId: string,
  page: { offset: number; limit: number },
): Promise<{ ids: string[]; total: number }> {
  const rows = await db
    .selectFrom('collection_member as m')
    .innerJoin('device as d', 'd.id', 'm.device_id')
    .select('d.id')
    .where('m.collection_id', '=', collectionId)
    .orderBy('d.name')
    .orderBy('d.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const count = await db
    .selectFrom('collection_member')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('collection_id', '=', collectionId)
    .executeTakeFirst();
  return { ids: rows.map((r) => r.id), total: toNumber(count?.n) };
}

export async function membershipHistory(
  db: Tx,
  collectionId: string,
  opts: { limit: number; before?: string | undefined },
): Promise<MembershipChange[]> {
  let q = db
    .selectFrom('collection_membership_change as c')
    .leftJoin('device as d', 'd.id', 'c.device_id')
    .select(['c.id', 'c.at', 'c.device_id', 'c.change', 'c.revision', 'd.name'])
    .where('c.collection_id', '=', collectionId)
    .orderBy('c.id', 'desc')
    .limit(opts.limit);
  if (opts.before !== undefined) q = q.where('c.id', '<', Number(opts.before));
  const rows = await q.execute();
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at,
    deviceId: r.device_id,
    // A deleted device keeps its history; its id stands in for the name.
    deviceName: r.name ?? r.device_id,
    change: checkRow('collection_membership_change', String(r.id), { change: r.change }).change,
    revision: r.revision,
  }));
}

/** Deletes a collection and, by cascade, its members, history and revisions. */
export async function deleteCollection(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('collection').where('id', '=', id).execute();
}
