import type { Queryable } from '../../db/database.js';
import { toNumber } from '../../db/database.js';

/** One stored point of a deployment's chart; `counts` is the JSON column, parsed by the caller. */
export interface SnapshotRow {
  at: string;
  counts: unknown;
}

/** The deployment's newest snapshot. */
export function lastSnapshot(
  db: Queryable,
  opts: { deploymentId: string },
): Promise<SnapshotRow | undefined> {
  return db
    .selectFrom('deployment_state_snapshot')
    .select(['at', 'counts'])
    .where('deployment_id', '=', opts.deploymentId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Stores the counts (JSON text) at `at`. */
export async function writeSnapshot(
  db: Queryable,
  opts: { deploymentId: string; at: string; counts: string },
): Promise<void> {
  await db
    .insertInto('deployment_state_snapshot')
    .values({ deployment_id: opts.deploymentId, at: opts.at, counts: opts.counts })
    // Two passes in the same millisecond (a stopped test clock) keep the newer counts.
    .onConflict((oc) => oc.columns(['deployment_id', 'at']).doUpdateSet({ counts: opts.counts }))
    .execute();
}

/** How many snapshots the deployment has. */
export async function snapshotCount(
  db: Queryable,
  opts: { deploymentId: string },
): Promise<number> {
  const row = await db
    .selectFrom('deployment_state_snapshot')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('deployment_id', '=', opts.deploymentId)
    .executeTakeFirst();
  return toNumber(row?.n);
}

/** The times of the deployment's oldest `limit` snapshots, oldest first. */
export async function oldestSnapshotTimes(
  db: Queryable,
  opts: { deploymentId: string; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('deployment_state_snapshot')
    .select('at')
    .where('deployment_id', '=', opts.deploymentId)
    .orderBy('at', 'asc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => r.at);
}

/** Deletes the deployment's snapshots at these times (one statement; the caller chunks). */
export async function deleteSnapshots(
  db: Queryable,
  opts: { deploymentId: string; at: readonly string[] },
): Promise<void> {
  await db
    .deleteFrom('deployment_state_snapshot')
    .where('deployment_id', '=', opts.deploymentId)
    .where('at', 'in', [...opts.at])
    .execute();
}

/** Whether a deployment with this id exists. */
export async function deploymentExists(db: Queryable, opts: { id: string }): Promise<boolean> {
  const row = await db
    .selectFrom('deployment')
    .select('id')
    .where('id', '=', opts.id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every snapshot of the deployment, oldest first. */
export function snapshots(db: Queryable, opts: { deploymentId: string }): Promise<SnapshotRow[]> {
  return db
    .selectFrom('deployment_state_snapshot')
    .select(['at', 'counts'])
    .where('deployment_id', '=', opts.deploymentId)
    .orderBy('at', 'asc')
    .execute();
}
