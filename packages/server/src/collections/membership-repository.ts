import { sql, type Expression, type SqlBool } from 'kysely';
import {
  validateQuery,
  type CollectionRule,
  type InventoryClassShape,
  type MembershipChange,
} from '@steward/protocol';
import { toNumber, type Dialect, type Queryable, type Tx } from '../db/database.js';
import { checkRow } from '../db/corrupt-row.js';
import { containsPattern } from '../db/like.js';
import { compileQueryFor } from './repository/query-sql.js';
import { inTextSet } from './repository/sql-json.js';

/*
 * collection_member and collection_membership_change, and the device queries that decide
 * membership. Evaluation logic (what to diff, when to report) is in evaluator.ts.
 */

/** A stored definition that can no longer be evaluated (a query naming a deleted custom class...). */
export class EvaluationError extends Error {}

export interface MembershipRules {
  rules: readonly CollectionRule[];
  limitingCollectionId: string | null;
}

/** What a membership query needs besides the rules: the database flavour and the class catalog. */
export interface MembershipQuery {
  dialect: Dialect;
  definition: MembershipRules;
  catalog: readonly InventoryClassShape[];
}

function membersOf(collectionIds: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`d.id in (select m.device_id from collection_member as m where m.collection_id in (${sql.join(
    collectionIds.map((id) => sql`${id}`),
  )}))`;
}

/**
 * The membership condition over `device as d`: (query matches or direct members or included
 * collections' members) minus excluded collections' members, within the limiting collection,
 * never a revoked device. Referenced collections are read as they stand, so callers evaluate
 * them first. Runs on `db` (the caller's transaction: on SQLite the connection is exclusive).
 */
export async function membershipFilter(
  db: Queryable,
  q: MembershipQuery,
): Promise<Expression<SqlBool>> {
  const union: Expression<SqlBool>[] = [];
  const direct: string[] = [];
  const include: string[] = [];
  const exclude: string[] = [];
  for (const [index, rule] of q.definition.rules.entries()) {
    switch (rule.kind) {
      case 'query': {
        const checked = validateQuery(rule.query, q.catalog);
        if (!checked.ok) throw new EvaluationError(`rule ${index + 1}: ${checked.error.message}`);
        union.push(await compileQueryFor(db, q.dialect, checked.query));
        break;
      }
      case 'direct':
        direct.push(rule.deviceId);
        break;
      case 'include':
        include.push(rule.collectionId);
        break;
      case 'exclude':
        exclude.push(rule.collectionId);
        break;
    }
  }
  if (direct.length > 0) union.push(sql<SqlBool>`${inTextSet(q.dialect, sql`d.id`, direct)}`);
  if (include.length > 0) union.push(membersOf(include));
  const parts: Expression<SqlBool>[] = [sql<SqlBool>`d.revoked_at is null`];
  parts.push(
    union.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(union, sql` or `)})`,
  );
  if (exclude.length > 0) parts.push(sql<SqlBool>`not (${membersOf(exclude)})`);
  const limit = q.definition.limitingCollectionId;
  if (limit) parts.push(membersOf([limit]));
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** Ids of the devices a definition selects, optionally only among `deviceIds`. */
export async function matchingDeviceIds(
  db: Queryable,
  q: MembershipQuery & { deviceIds?: readonly string[] | undefined },
): Promise<string[]> {
  const filter = await membershipFilter(db, q);
  let select = db.selectFrom('device as d').select('d.id').where(filter);
  if (q.deviceIds)
    select = select.where('d.id', 'in', q.deviceIds.length > 0 ? [...q.deviceIds] : ['']);
  return (await select.execute()).map((r) => r.id);
}

/** How many devices a definition selects now, and the ids of the first `sampleSize` by name. */
export async function previewMembers(
  db: Queryable,
  q: MembershipQuery & { sampleSize: number },
): Promise<{ count: number; sampleIds: string[] }> {
  const filter = await membershipFilter(db, q);
  const count = await db
    .selectFrom('device as d')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(filter)
    .executeTakeFirst();
  const sample = await db
    .selectFrom('device as d')
    .select('d.id')
    .where(filter)
    .orderBy('d.name')
    .orderBy('d.id')
    .limit(q.sampleSize)
    .execute();
  return { count: toNumber(count?.n), sampleIds: sample.map((r) => r.id) };
}

/** The current members of a collection, optionally only among `deviceIds`. */
export async function currentMembers(
  db: Queryable,
  opts: { collectionId: string; deviceIds?: readonly string[] | undefined },
): Promise<Set<string>> {
  let q = db
    .selectFrom('collection_member')
    .select('device_id')
    .where('collection_id', '=', opts.collectionId);
  if (opts.deviceIds)
    q = q.where('device_id', 'in', opts.deviceIds.length > 0 ? [...opts.deviceIds] : ['']);
  return new Set((await q.execute()).map((r) => r.device_id));
}

/** Rows per statement: well inside SQLite's and PostgreSQL's parameter limits. */
const WRITE_CHUNK = 200;

/**
 * Adds and removes members and records each change in the membership history, tagged with the
 * revision that caused it. Members and history change together, hence a transaction.
 */
export async function writeMembershipDiff(
  tx: Tx,
  diff: {
    collectionId: string;
    revision: number;
    added: readonly string[];
    removed: readonly string[];
    at: string;
  },
): Promise<void> {
  const { collectionId, revision, at } = diff;
  const history = (ids: readonly string[], change: 'added' | 'removed') =>
    tx
      .insertInto('collection_membership_change')
      .values(ids.map((d) => ({ collection_id: collectionId, device_id: d, change, at, revision })))
      .execute();
  for (let i = 0; i < diff.added.length; i += WRITE_CHUNK) {
    const chunk = diff.added.slice(i, i + WRITE_CHUNK);
    await tx
      .insertInto('collection_member')
      .values(chunk.map((d) => ({ collection_id: collectionId, device_id: d, since: at })))
      .execute();
    await history(chunk, 'added');
  }
  for (let i = 0; i < diff.removed.length; i += WRITE_CHUNK) {
    const chunk = diff.removed.slice(i, i + WRITE_CHUNK);
    await tx
      .deleteFrom('collection_member')
      .where('collection_id', '=', collectionId)
      .where('device_id', 'in', chunk)
      .execute();
    await history(chunk, 'removed');
  }
}

/** Counts the members and stores the count; a full evaluation also stamps its time. */
export async function recordMemberCount(
  tx: Tx,
  opts: { collectionId: string; evaluatedAt?: string | undefined },
): Promise<number> {
  const count = await tx
    .selectFrom('collection_member')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('collection_id', '=', opts.collectionId)
    .executeTakeFirst();
  const members = toNumber(count?.n);
  await tx
    .updateTable('collection')
    .set({
      member_count: members,
      ...(opts.evaluatedAt === undefined ? {} : { last_evaluated_at: opts.evaluatedAt }),
    })
    .where('id', '=', opts.collectionId)
    .execute();
  return members;
}

/** One page of a collection's members, ordered by device name, and the total. */
export async function memberIdsPage(
  db: Queryable,
  page: { collectionId: string; offset: number; limit: number },
): Promise<{ ids: string[]; total: number }> {
  const rows = await db
    .selectFrom('collection_member as m')
    .innerJoin('device as d', 'd.id', 'm.device_id')
    .select('d.id')
    .where('m.collection_id', '=', page.collectionId)
    .orderBy('d.name')
    .orderBy('d.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const count = await db
    .selectFrom('collection_member')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('collection_id', '=', page.collectionId)
    .executeTakeFirst();
  return { ids: rows.map((r) => r.id), total: toNumber(count?.n) };
}

/** Membership changes, newest first, `limit` of them before the change id `before`. */
export async function membershipHistory(
  db: Queryable,
  opts: {
    collectionId: string;
    limit: number;
    before?: string | undefined;
    /** Device names containing this (case-insensitive). */
    device?: string | undefined;
    change?: 'added' | 'removed' | undefined;
  },
): Promise<MembershipChange[]> {
  let q = db
    .selectFrom('collection_membership_change as c')
    .leftJoin('device as d', 'd.id', 'c.device_id')
    .select(['c.id', 'c.at', 'c.device_id', 'c.change', 'c.revision', 'd.name'])
    .where('c.collection_id', '=', opts.collectionId)
    .orderBy('c.id', 'desc')
    .limit(opts.limit);
  if (opts.before !== undefined) q = q.where('c.id', '<', Number(opts.before));
  if (opts.change !== undefined) q = q.where('c.change', '=', opts.change);
  if (opts.device !== undefined) {
    const pattern = containsPattern(opts.device);
    q = q.where(sql<boolean>`lower(coalesce(d.name, c.device_id)) like ${pattern} escape '\\'`);
  }
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

/**
 * The ids of a collection's members, as a subquery for other domains' statements
 * (`.where('id', 'in', memberIdsOf(db, id))`): the collections domain owns `collection_member`,
 * and a device list filtered by collection stays one statement.
 */
export function memberIdsOf(db: Queryable, collectionId: string) {
  return db
    .selectFrom('collection_member')
    .select('device_id')
    .where('collection_id', '=', collectionId);
}

/** The ids of the members of any of these collections, as a subquery (see `memberIdsOf`). */
export function memberIdsOfAny(db: Queryable, collectionIds: readonly string[]) {
  return db
    .selectFrom('collection_member')
    .select('device_id')
    .where('collection_id', 'in', [...collectionIds]);
}

/**
 * Every (collection, device) membership, as a derived table other domains join to
 * (`.innerJoin(memberships(db).as('m'), (j) => j.onRef('m.device_id', ...))`): "the device is
 * a current member" stays one statement without naming `collection_member` outside this
 * domain. Both databases flatten the subquery into the join.
 */
export function memberships(db: Queryable) {
  return db.selectFrom('collection_member').select(['collection_id', 'device_id']);
}

/** The collections a device is a member of and since when. */
export function membershipsOfDevice(
  db: Queryable,
  opts: { deviceId: string },
): Promise<{ collection_id: string; since: string }[]> {
  return db
    .selectFrom('collection_member')
    .select(['collection_id', 'since'])
    .where('device_id', '=', opts.deviceId)
    .execute();
}

/** Membership changes after this id, oldest first (consumers keep their own watermark). */
export function membershipChangesAfter(
  db: Queryable,
  opts: { afterId: number; limit: number },
): Promise<{ id: number | string | bigint; collection_id: string; device_id: string }[]> {
  return db
    .selectFrom('collection_membership_change')
    .select(['id', 'collection_id', 'device_id'])
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
}

/** The collections a device is a member of, by name. */
export function collectionsOfDevice(
  db: Queryable,
  deviceId: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('collection_member as m')
    .innerJoin('collection as c', 'c.id', 'm.collection_id')
    .select(['c.id', 'c.name'])
    .where('m.device_id', '=', deviceId)
    .orderBy('c.name')
    .execute();
}

/**
 * When each device last joined or left a collection (its latest membership change), for client
 * deployment status: joining the pre-production collection restarts a device's upgrade window.
 */
export async function lastMembershipChangeAt(
  db: Queryable,
  collectionId: string,
): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('collection_membership_change')
    .select((eb) => ['device_id', eb.fn.max('at').as('at')])
    .where('collection_id', '=', collectionId)
    .groupBy('device_id')
    .execute();
  return new Map(rows.map((r) => [r.device_id, r.at]));
}
