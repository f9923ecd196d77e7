import {
  ConflictError,
  ErrorCode,
  InputError,
  MAX_BULK_DEVICES,
  NotFoundError,
  countStillConfirmed,
  type DeploymentDeviceFilter,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { checkRow } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import {
  extraAssignmentsOf,
  findDeploymentRow,
  type DeploymentRow,
} from './deployment-repository.js';
import { checkExtraAssignment } from './schedule-validation.js';
import * as repo from './repository/rerun.js';
import { existingDeviceIds } from '../devices/repository.js';
import { type Queryable, inTransaction } from '../db/database.js';
import { deploymentDeviceIdsMatching } from './repository/monitoring.js';

const CHUNK = 500;

async function mustFind(tx: Queryable, id: string): Promise<DeploymentRow> {
  const row = await findDeploymentRow(tx, id);
  if (!row) throw new NotFoundError('deployment', id, ErrorCode.DEPLOYMENT_NOT_FOUND);
  return row;
}

/** Refuses the whole request when one device id is unknown (nothing is written). */
async function requireDevices(tx: Queryable, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const found = await existingDeviceIds(tx, { ids: part });
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
  which: {
    deviceIds?: readonly string[] | undefined;
    /** Every device the devices list's filter matches (ADR 0031), resolved here. */
    filter?: DeploymentDeviceFilter | undefined;
    expectedCount?: number | undefined;
  },
): Promise<{ collectionId: string; deviceIds: string[] }> {
  const { deviceIds, filter } = which;
  if (deviceIds !== undefined && filter !== undefined)
    throw new InputError(ErrorCode.INVALID_INPUT, 'give device ids or a filter, not both');
  const at = nowIso(ctx);
  return inTransaction(ctx.db.kysely, async (tx) => {
    const row = await mustFind(tx, id);
    if (deviceIds === undefined && filter === undefined) {
      const top = await repo.topDeviceRevision(tx, { deploymentId: row.id });
      const revision = Math.max(row.revision, top) + 1;
      await repo.setRevisionForAll(tx, { deploymentId: row.id, revision, updatedAt: at });
      await writeAudit(tx, actor, at, {
        action: 'deployment.rerun',
        targetType: 'deployment',
        targetId: row.id,
        details: { name: row.name, revision },
      });
      return { collectionId: row.collection_id, deviceIds: [] };
    }
    const ids =
      filter === undefined
        ? [...new Set(deviceIds ?? [])]
        : await deploymentDeviceIdsMatching(tx, {
            d: row,
            filter,
            now: ctx.clock.now(),
            limit: MAX_BULK_DEVICES + 1,
          });
    if (ids.length > MAX_BULK_DEVICES)
      throw new ConflictError(
        ErrorCode.BULK_TOO_MANY,
        `the filter matches more than ${MAX_BULK_DEVICES} devices; narrow it`,
        { max: MAX_BULK_DEVICES },
      );
    if (which.expectedCount !== undefined && !countStillConfirmed(which.expectedCount, ids.length))
      throw new ConflictError(
        ErrorCode.BULK_COUNT_CHANGED,
        `the selection now matches ${ids.length} devices, not the ${which.expectedCount} confirmed; review it and confirm again`,
        { expectedCount: which.expectedCount, matched: ids.length },
      );
    await requireDevices(tx, ids);
    const next = row.revision + 1;
    for (let i = 0; i < ids.length; i += CHUNK) {
      await repo.raiseDeviceRevisions(tx, {
        deploymentId: row.id,
        deviceIds: ids.slice(i, i + CHUNK),
        revision: row.revision,
        next,
      });
    }
    await writeAudit(tx, actor, at, {
      action: 'deployment.rerun',
      targetType: 'deployment',
      targetId: row.id,
      details: { name: row.name, devices: ids.length, ...(filter ? { filter } : {}) },
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
  return inTransaction(ctx.db.kysely, async (tx) => {
    const row = await mustFind(tx, id);
    checkExtraAssignment(
      when,
      { timeBase: checkRow('deployment', row.id, row).time_base, expiresAt: row.expires_at },
      ctx.clock.now(),
    );
    const list = [...new Set([...extraAssignmentsOf(row), when])].sort();
    await repo.setExtraAssignments(tx, { deploymentId: row.id, assignments: list, updatedAt: at });
    await writeAudit(tx, actor, at, {
      action: 'deployment.assign',
      targetType: 'deployment',
      targetId: row.id,
      details: { name: row.name, at: when },
    });
    return row.collection_id;
  });
}
