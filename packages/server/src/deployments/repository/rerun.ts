import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';

/** The highest per-device rerun revision of a deployment (0 when none). */
export async function topDeviceRevision(
  tx: Queryable,
  opts: { deploymentId: string },
): Promise<number> {
  const top = await tx
    .selectFrom('deployment_rerun')
    .select((eb) => eb.fn.max('revision').as('r'))
    .where('deployment_id', '=', opts.deploymentId)
    .executeTakeFirst();
  return top?.r ?? 0;
}

/** Every device reruns: the deployment takes the new revision and per-device ones are dropped. */
export async function setRevisionForAll(
  tx: Queryable,
  opts: { deploymentId: string; revision: number; updatedAt: string },
): Promise<void> {
  await tx
    .updateTable('deployment')
    .set({ revision: opts.revision, updated_at: opts.updatedAt })
    .where('id', '=', opts.deploymentId)
    .execute();
  await tx.deleteFrom('deployment_rerun').where('deployment_id', '=', opts.deploymentId).execute();
}

/**
 * These devices rerun: each gets a row at `next`, or one above its own row when that is already
 * at or above the deployment's revision (one statement; the caller chunks).
 */
export async function raiseDeviceRevisions(
  tx: Queryable,
  opts: { deploymentId: string; deviceIds: readonly string[]; revision: number; next: number },
): Promise<void> {
  await tx
    .insertInto('deployment_rerun')
    .values(
      opts.deviceIds.map((d) => ({
        deployment_id: opts.deploymentId,
        device_id: d,
        revision: opts.next,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['deployment_id', 'device_id']).doUpdateSet({
        revision: sql<number>`case when deployment_rerun.revision >= ${opts.revision} then deployment_rerun.revision + 1 else ${opts.next} end`,
      }),
    )
    .execute();
}

/** Replaces a deployment's extra one-off assignments. */
export async function setExtraAssignments(
  tx: Queryable,
  opts: { deploymentId: string; assignments: readonly string[]; updatedAt: string },
): Promise<void> {
  await tx
    .updateTable('deployment')
    .set({ extra_assignments: JSON.stringify(opts.assignments), updated_at: opts.updatedAt })
    .where('id', '=', opts.deploymentId)
    .execute();
}
