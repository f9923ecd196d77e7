import type { InventoryClassShape } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { inTransaction } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { findCollectionById, lockCollection, rulesOf } from './repository.js';
import {
  currentMembers,
  matchingDeviceIds,
  recordMemberCount,
  writeMembershipDiff,
} from './membership-repository.js';

export interface EvaluationResult {
  collectionId: string;
  name: string;
  members: number;
  added: number;
  removed: number;
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
  const dialect = ctx.db.dialect;
  return inTransaction(ctx.db.kysely, async (tx) => {
    const row = await lockCollection(tx, { id: collectionId, dialect });
    if (!row) return undefined;
    const definition = { rules: rulesOf(row), limitingCollectionId: row.limiting_collection_id };
    const target = new Set(
      await matchingDeviceIds(tx, {
        dialect,
        definition,
        catalog: opts.catalog,
        deviceIds: opts.deviceIds,
      }),
    );
    const current = await currentMembers(tx, { collectionId: row.id, deviceIds: opts.deviceIds });
    const added = [...target].filter((d) => !current.has(d)).sort();
    const removed = [...current].filter((d) => !target.has(d)).sort();
    await writeMembershipDiff(tx, {
      collectionId: row.id,
      revision: row.revision,
      added,
      removed,
      at,
    });
    const full = opts.deviceIds === undefined;
    const members = await recordMemberCount(tx, {
      collectionId: row.id,
      evaluatedAt: full ? at : undefined,
    });
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
      const row = await findCollectionById(ctx.db.kysely, id);
      await raiseSiteStatus(ctx, {
        message: 'COLLECTION_EVALUATION_FAILED',
        insertionStrings: [row?.name ?? id, message],
        attributes: { collectionId: id },
      });
    }
  }
  return results;
}
