import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { validateQuery, type CollectionRule, type InventoryClassShape } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import type { Dialect } from '../db/database.js';
import { toNumber } from '../db/database.js';
import type { Database } from '../db/tables/index.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { compileQueryFor } from './query-sql.js';
import { inTextSet } from './sql-json.js';
import { lockCollection, rulesOf } from './repository.js';

type Tx = Kysely<Database>;

/** A stored definition that can no longer be evaluated (a query naming a deleted custom class...). */
export class EvaluationError extends Error {}

export interface MembershipRules {
  rules: readonly CollectionRule[];
  limitingCollectionId: string | null;
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
  db: Tx,
  dialect: Dialect,
  def: MembershipRules,
  catalog: readonly InventoryClassShape[],
): Promise<Expression<SqlBool>> {
  const union: Expression<SqlBool>[] = [];
  const direct: string[] = [];
  const include: string[] = [];
  const exclude: string[] = [];
  for (const [index, rule] of def.rules.entries()) {
    switch (rule.kind) {
      case 'query': {
        const checked = validateQuery(rule.query, catalog);
        if (!checked.ok) throw new EvaluationError(`rule ${index + 1}: ${checked.error.message}`);
        union.push(await compileQueryFor(db, dialect, checked.query));
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
  if (direct.length > 0) union.push(sql<SqlBool>`${inTextSet(dialect, sql`d.id`, direct)}`);
  if (include.length > 0) union.push(membersOf(include));
  const parts: Expression<SqlBool>[] = [sql<SqlBool>`d.revoked_at is null`];
  parts.push(
    union.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(union, sql` or `)})`,
  );
  if (exclude.length > 0) parts.push(sql<SqlBool>`not (${membersOf(exclude)})`);
  if (def.limitingCollectionId) parts.push(membersOf([def.limitingCollectionId]));
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** Ids of the devices a definition selects, optionally only among `deviceIds`. */
export async function matchingDeviceIds(
  db: Tx,
  dialect: Dialect,
  def: MembershipRules,
  catalog: readonly InventoryClassShape[],
  deviceIds?: readonly string[],
): Promise<string[]> {
  const filter = await membershipFilter(db, dialect, def, catalog);
  let q = db.selectFrom('device as d').select('d.id').where(filter);
  if (deviceIds) q = q.where('d.id', 'in', deviceIds.length > 0 ? [...deviceIds] : ['']);
  return (await q.execute()).map((r) => r.id);
}

export interface EvaluationResult {
  collectionId: string;
  name: string;
  members: number;
  added: number;
  removed: number;
}

const WRITE_CHUNK = 200;

async function applyDiff(
  tx: Tx,
  c: { id: string; revision: number },
  diff: { added: string[]; removed: string[] },
  at: string,
): Promise<void> {
  for (let i = 0; i < diff.added.length; i += WRITE_CHUNK) {
    const chunk = diff.added.slice(i, i + WRITE_CHUNK);
    await tx
      .insertInto('collection_member')
      .values(chunk.map((d) => ({ collection_id: c.id, device_id: d, since: at })))
      .execute();
    await tx
      .insertInto('collection_membership_change')
      .values(
        chunk.map((d) => ({
          collection_id: c.id,
          device_id: d,
          change: 'added',
          at,
          revision: c.revision,
        })),
      )
      .execute();
  }
  for (let i = 0; i < diff.removed.length; i += WRITE_CHUNK) {
    const chunk = diff.removed.slice(i, i + WRITE_CHUNK);
    await tx
      .deleteFrom('collection_member')
      .where('collection_id', '=', c.id)
      .where('device_id', 'in', chunk)
      .execute();
    await tx
      .insertInto('collection_membership_change')
      .values(
        chunk.map((d) => ({
          collection_id: c.id,
          device_id: d,
          change: 'removed',
          at,
          revision: c.revision,
        })),
      )
      .execute();
  }
}

async function currentMembers(
  tx: Tx,
  collectionId: string,
  deviceIds?: readonly string[],
): Promise<Set<string>> {
  let q = tx
    .selectFrom('collection_member')
    .select('device_id')
    .where('collection_id', '=', collectionId);
  if (deviceIds) q = q.where('device_id', 'in', deviceIds.length > 0 ? [...deviceIds] : ['']);
  return new Set((await q.execute()).map((r) => r.device_id));
}

/**
 * Evaluates one collection in one transaction: computes the members (all devices, or only
 * `deviceIds` for an incremental pass), writes the difference to collection_member and the
 * membership history (with the current revision), updates the count, and raises COLLECTION_EVALUATED when
 * something changed or on a full evaluation. Returns undefined when the collection is gone.
 */
export async function evaluateCollection(
  ctx: SiteContext,
  collectionId: string,
  opts: { catalog: readonly InventoryClassShape[]; deviceIds?: readonly string[] },
): Promise<EvaluationResult | undefined> {
  const at = nowIso(ctx);
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await lockCollection(tx, ctx.db.dialect, collectionId);
    if (!row) return undefined;
    const def = { rules: rulesOf(row), limitingCollectionId: row.limiting_collection_id };
    const target = new Set(
      await matchingDeviceIds(tx, ctx.db.dialect, def, opts.catalog, opts.deviceIds),
    );
    const current = await currentMembers(tx, row.id, opts.deviceIds);
    const added = [...target].filter((d) => !current.has(d)).sort();
    const removed = [...current].filter((d) => !target.has(d)).sort();
    await applyDiff(tx, row, { added, removed }, at);
    const count = await tx
      .selectFrom('collection_member')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('collection_id', '=', row.id)
      .executeTakeFirst();
    const members = toNumber(count?.n);
    const full = opts.deviceIds === undefined;
    await tx
      .updateTable('collection')
      .set({ member_count: members, ...(full ? { last_evaluated_at: at } : {}) })
      .where('id', '=', row.id)
      .execute();
    if (full || added.length + removed.length > 0) {
      const strings = [
        row.name,
        String(members),
        String(added.length),
        String(removed.length),
      ] as const;
      await raiseSiteStatus(
        ctx,
        {
          message: 'COLLECTION_EVALUATED',
          insertionStrings: strings,
          attributes: { collectionId: row.id },
        },
        tx,
      );
    }
    return {
      collectionId: row.id,
      name: row.name,
      members,
      added: added.length,
      removed: removed.length,
    };
  });
}

/**
 * Evaluates collections in the given (dependency) order. One failure does not stop the others:
 * it is logged and raised as status message COLLECTION_EVALUATION_FAILED, and that collection keeps its members.
 */
export async function evaluateInOrder(
  ctx: SiteContext,
  ids: readonly string[],
  opts: { catalog: readonly InventoryClassShape[]; deviceIds?: readonly string[] },
): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  for (const id of ids) {
    try {
      const r = await evaluateCollection(ctx, id, opts);
      if (r) results.push(r);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ err, collectionId: id }, 'collection evaluation failed');
      const row = await ctx.db.kysely
        .selectFrom('collection')
        .select('name')
        .where('id', '=', id)
        .executeTakeFirst();
      await raiseSiteStatus(ctx, {
        message: 'COLLECTION_EVALUATION_FAILED',
        insertionStrings: [row?.name ?? id, message],
        attributes: { collectionId: id },
      });
    }
  }
  return results;
}
