import type { Queryable } from '../db/database.js';

/** A collection's hourly activity snapshots since `from`, oldest first. */
export function activitySnapshots(
  db: Queryable,
  opts: { collectionId: string; from: string },
): Promise<{ at: string; active: number; inactive: number }[]> {
  return db
    .selectFrom('client_activity_snapshot')
    .select(['at', 'active', 'inactive'])
    .where('collection_id', '=', opts.collectionId)
    .where('at', '>=', opts.from)
    .orderBy('at')
    .execute();
}

/** Stores (or replaces) one collection's snapshot for one hour. */
export async function saveActivitySnapshot(
  db: Queryable,
  opts: { collectionId: string; at: string; active: number; inactive: number },
): Promise<void> {
  await db
    .insertInto('client_activity_snapshot')
    .values({
      collection_id: opts.collectionId,
      at: opts.at,
      active: opts.active,
      inactive: opts.inactive,
    })
    .onConflict((oc) =>
      oc
        .columns(['collection_id', 'at'])
        .doUpdateSet({ active: opts.active, inactive: opts.inactive }),
    )
    .execute();
}

/** Client status history is kept 31 days: deletes the snapshots before `before`. */
export async function deleteSnapshotsBefore(db: Queryable, before: string): Promise<number> {
  const r = await db
    .deleteFrom('client_activity_snapshot')
    .where('at', '<', before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
