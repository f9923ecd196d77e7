import { NotFoundError, ErrorCode } from '@steward/protocol';
import { sql, type Kysely } from 'kysely';
import type { Actor, SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import type { Database } from '../db/tables/index.js';
import { checkRow } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import {
  extraAssignmentsOf,
  findDeploymentRow,
  type DeploymentRow,
} from './deployment-repository.js';
import { checkExtraAssignment } from './schedule-validation.js';

type Tx = Kysely<Database>;
const CHUNK = 500;

async function mustFind(tx: Tx, id: string): Promise<DeploymentRow> {
  const row = await findDeploymentRow(tx, id);
  if (!row) throw new NotFoundError('deployment', id, ErrorCode.DEPLOYMENT_NOT_FOUND);
  return row;
}

/** Refuses the whole request when one device id is unknown (nothing is written). */
async function requireDevices(tx: Tx, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const found = new Set(
      (await tx.selectFrom('device').select('id').where('id', 'in', part).execute()).map(
        (r) => r.id,
      ),
    );
    const missing = part.find((id) => !found.has(id));
    if (missing !== undefined)
      throw new NotFoundError('device', missing, ErrorCode.DEVICE_NOT_FOUND);
  }
}

/**
 * Raises the revision agents rerun on (once per revision, by the rerun behaviour). All
 * devices: the deployment's revision goes above every per-device one. Some devices: each gets
 * a `deployment_rerun` row one above what it has now (its own row or the deployment's).
 */
export async function rerunDeployment(
  ctx: SiteContext,
  actor: Actor,
  id: string,
  deviceIds: readonly string[] | undefined,
): Promise<{ collectionId: string; deviceIds: string[] }> {
  const at = nowIso(ctx);
  const ids = [...new Set(deviceIds ?? [])];
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await mustFind(tx, id);
    if (deviceIds === undefined) {
      const top = await tx
        .selectFrom('deployment_rerun')
        .select((eb) => eb.fn.max('revision').as('r'))
        .where('deployment_id', '=', row.id)
        .executeTakeFirst();
      const revision = Math.max(row.revision, top?.r ?? 0) + 1;
      await tx
        .updateTable('deployment')
        .set({ revision, updated_at: at })
        .where('id', '=', row.id)
        .execute();
      await tx.deleteFrom('deployment_rerun').where('deployment_id', '=', row.id).execute();
      await writeAudit(tx, actor, at, {
        action: 'deployment.rerun',
        targetType: 'deployment',
        targetId: row.id,
        details: { name: row.name, revision },
      });
      return { collectionId: row.collection_id, deviceIds: [] };
    }
    await requireDevices(tx, ids);
    const next = row.revision + 1;
    for (let i = 0; i < ids.length; i += CHUNK) {
      await tx
        .insertInto('deployment_rerun')
        .values(
          ids
            .slice(i, i + CHUNK)
            .map((d) => ({ deployment_id: row.id, device_id: d, revision: next })),
        )
        .onConflict((oc) =>
          oc.columns(['deployment_id', 'device_id']).doUpdateSet({
            revision: sql<number>`case when deployment_rerun.revision >= ${row.revision} then deployment_rerun.revision + 1 else ${next} end`,
          }),
        )
        .execute();
    }
    await writeAudit(tx, actor, at, {
      action: 'deployment.rerun',
      targetType: 'deployment',
      targetId: row.id,
      details: { name: row.name, devices: ids.length },
    });
    return { collectionId: row.collection_id, deviceIds: ids };
  });
}

/** Appends an extra one-off assignment; returns the collection to nudge. */
export async function addExtraAssignment(
  ctx: SiteContext,
  actor: Actor,
  id: string,
  when: string,
): Promise<string> {
  const at = nowIso(ctx);
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await mustFind(tx, id);
    checkExtraAssignment(
      when,
      { timeBase: checkRow('deployment', row.id, row).time_base, expiresAt: row.expires_at },
      ctx.clock.now(),
    );
    const list = [...new Set([...extraAssignmentsOf(row), when])].sort();
    await tx
      .updateTable('deployment')
      .set({ extra_assignments: JSON.stringify(list), updated_at: at })
      .where('id', '=', row.id)
      .execute();
    await writeAudit(tx, actor, at, {
      action: 'deployment.assign',
      targetType: 'deployment',
      targetId: row.id,
      details: { name: row.name, at: when },
    });
    return row.collection_id;
  });
}
