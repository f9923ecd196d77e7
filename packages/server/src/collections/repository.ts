import { Type } from '@sinclair/typebox';
import { sql, type Selectable } from 'kysely';
import {
  CollectionDefinition,
  CollectionRule,
  type Collection,
  type CollectionRevision,
} from '@steward/protocol';
import type { CollectionTable } from '../db/tables/index.js';
import { toNumber, type Dialect, type Queryable, type Tx } from '../db/database.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import type { CollectionNode } from './graph.js';
import type { StoredDefinition } from './definition.js';

/*
 * The collection and collection_revision tables. `findCollection` is the one way any domain
 * finds a collection by id or name; membership tables are in membership-repository.ts, the
 * query compiler in repository/.
 */

export type CollectionRow = Selectable<CollectionTable>;

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
export function definitionOf(row: CollectionRow): StoredDefinition {
  return {
    name: row.name,
    description: row.description,
    limitingCollectionId: row.limiting_collection_id,
    rules: rulesOf(row),
    evaluationIntervalMinutes: row.evaluation_interval_minutes,
  };
}

export function toNode(
  row: Pick<CollectionRow, 'id' | 'limiting_collection_id' | 'rules'>,
): CollectionNode {
  return { id: row.id, limitingCollectionId: row.limiting_collection_id, rules: rulesOf(row) };
}

export function listCollectionRows(db: Queryable): Promise<CollectionRow[]> {
  return db.selectFrom('collection').selectAll().orderBy('name').execute();
}

/** A collection by id only (built-ins are found by their stable id, never by a name). */
export function findCollectionById(db: Queryable, id: string): Promise<CollectionRow | undefined> {
  return db.selectFrom('collection').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A collection by id, else by exact name: an id always wins, so a collection named like
 * another's id cannot hide it. Every domain that takes a collection reference resolves it here.
 */
export async function findCollection(
  db: Queryable,
  idOrName: string,
): Promise<CollectionRow | undefined> {
  return (
    (await findCollectionById(db, idOrName)) ??
    db.selectFrom('collection').selectAll().where('name', '=', idOrName).executeTakeFirst()
  );
}

/**
 * Reads a collection and, on PostgreSQL, holds its row until the transaction ends, so two
 * processes never diff one collection at once (SQLite's single writer does that already).
 */
export async function lockCollection(
  tx: Tx,
  opts: { id: string; dialect: Dialect },
): Promise<CollectionRow | undefined> {
  const q = tx.selectFrom('collection').selectAll().where('id', '=', opts.id);
  return opts.dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

/** Names are compared without case: "Servers" and "servers" side by side would only confuse. */
export async function nameTaken(
  db: Queryable,
  opts: { name: string; exceptId: string | null },
): Promise<boolean> {
  let q = db
    .selectFrom('collection')
    .select('id')
    .where(sql<boolean>`lower(name) = lower(${opts.name})`);
  if (opts.exceptId) q = q.where('id', '!=', opts.exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Which of these collection ids exist (one statement; the caller chunks). */
export async function existingCollectionIds(
  db: Queryable,
  opts: { ids: readonly string[] },
): Promise<Set<string>> {
  // `in ()` is a syntax error on PostgreSQL (SQLite accepts it).
  if (opts.ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('collection')
    .select('id')
    .where('id', 'in', [...opts.ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Member counts of these collections (kept with the membership by `recordMemberCount`). */
export async function memberCounts(
  db: Queryable,
  opts: { collectionIds: readonly string[] },
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('collection')
    .select(['id', 'member_count'])
    .where('id', 'in', [...opts.collectionIds])
    .execute();
  return new Map(rows.map((c) => [c.id, toNumber(c.member_count)]));
}

export async function insertCollection(
  db: Queryable,
  c: { id: string; definition: StoredDefinition; builtin: boolean; at: string },
): Promise<void> {
  const def = c.definition;
  await db
    .insertInto('collection')
    .values({
      id: c.id,
      name: def.name,
      description: def.description,
      builtin: c.builtin ? 1 : 0,
      limiting_collection_id: def.limitingCollectionId,
      rules: JSON.stringify(def.rules),
      evaluation_interval_minutes: def.evaluationIntervalMinutes,
      member_count: 0,
      last_evaluated_at: null,
      revision: 1,
      created_at: c.at,
      updated_at: c.at,
    })
    .execute();
}

export async function updateCollectionDefinition(
  db: Queryable,
  c: { id: string; definition: StoredDefinition; revision: number; at: string },
): Promise<void> {
  const def = c.definition;
  await db
    .updateTable('collection')
    .set({
      name: def.name,
      description: def.description,
      limiting_collection_id: def.limitingCollectionId,
      rules: JSON.stringify(def.rules),
      evaluation_interval_minutes: def.evaluationIntervalMinutes,
      revision: c.revision,
      updated_at: c.at,
    })
    .where('id', '=', c.id)
    .execute();
}

export async function insertRevision(
  db: Queryable,
  r: {
    collectionId: string;
    revision: number;
    at: string;
    by: string;
    definition: StoredDefinition;
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

export async function listRevisions(
  db: Queryable,
  collectionId: string,
): Promise<CollectionRevision[]> {
  const rows = await db
    .selectFrom('collection_revision')
    .selectAll()
    .where('collection_id', '=', collectionId)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map(toRevision);
}

export async function findRevision(
  db: Queryable,
  opts: { collectionId: string; revision: number },
): Promise<CollectionRevision | undefined> {
  const row = await db
    .selectFrom('collection_revision')
    .selectAll()
    .where('collection_id', '=', opts.collectionId)
    .where('revision', '=', opts.revision)
    .executeTakeFirst();
  return row ? toRevision(row) : undefined;
}

/**
 * Deployments and rollout phases that target a collection (deleting it would orphan them).
 * Those tables belong to the deployments domain; the question is asked from here because
 * deployments already depend on collections, and the reverse import would make a cycle.
 */
export function deploymentsTargeting(
  db: Queryable,
  collectionId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('deployment')
    .select(['id', 'name'])
    .where('collection_id', '=', collectionId)
    .union(
      db
        .selectFrom('deployment_phase as p')
        .innerJoin('phased_deployment as pd', 'pd.id', 'p.phased_deployment_id')
        .select(['pd.id as id', 'pd.name as name'])
        .where('p.collection_id', '=', collectionId),
    )
    .execute();
}

/**
 * Collection ids and names, as a derived table for other domains' statements
 * (`.innerJoin(collectionNames(db).as('c'), 'c.id', ...)`): a list that shows each row's
 * collection name stays one statement. Both databases flatten the subquery into the join.
 */
export function collectionNames(db: Queryable) {
  return db.selectFrom('collection').select(['id', 'name']);
}

/** Deletes a collection and, by cascade, its members, history and revisions. */
export async function deleteCollection(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('collection').where('id', '=', id).execute();
}
