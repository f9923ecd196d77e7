import type { AgentDeployment, AssignmentsDocument, DeploymentOptions } from '@steward/protocol';
import { checkRow } from '../../db/corrupt-row.js';
import { deviceEnrolledAt } from '../../devices/repository.js';
import { membershipsOfDevice } from '../../collections/membership-repository.js';
import { extraAssignmentsOf, optionsOfRow, triggersOf } from '../deployment-repository.js';
import { windowBodyOf } from './maintenance-windows.js';
import { expiredEverywhere } from '../schedule-validation.js';
import type { Queryable } from '../../db/database.js';

/** Every option but 'enabled' (only enabled deployments are sent). */
function agentOptions(options: DeploymentOptions): Omit<DeploymentOptions, 'enabled'> {
  const { enabled, ...rest } = options; // ignoreRestSiblings: the omitted key
  return rest;
}

/**
 * Enabled, unexpired deployments whose collection holds the device, as the agent needs them,
 * and the collections it is in. An expiry in client local time is kept until it has passed in
 * every zone; the agent applies it exactly.
 */
export async function assignedDeployments(
  db: Queryable,
  deviceId: string,
  now: Date,
): Promise<{ deployments: AgentDeployment[]; collectionIds: string[] }> {
  const enrolledAt = await deviceEnrolledAt(db, { id: deviceId });
  const memberships = await membershipsOfDevice(db, { deviceId });
  const collectionIds = memberships.map((m) => m.collection_id).sort();
  if (enrolledAt === undefined || collectionIds.length === 0)
    return { deployments: [], collectionIds };
  const since = new Map(memberships.map((m) => [m.collection_id, m.since]));
  const rows = await db
    .selectFrom('deployment')
    .selectAll()
    .where('collection_id', 'in', collectionIds)
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
  const live = rows.filter((r) => !expiredEverywhere(r.expires_at, r.time_base, now));
  const reruns = new Map<string, number>();
  if (live.length > 0) {
    const rr = await db
      .selectFrom('deployment_rerun')
      .select(['deployment_id', 'revision'])
      .where('device_id', '=', deviceId)
      .where(
        'deployment_id',
        'in',
        live.map((r) => r.id),
      )
      .execute();
    for (const r of rr) reruns.set(r.deployment_id, r.revision);
  }
  const deployments = live.map((r): AgentDeployment => {
    checkRow('deployment', r.id, r);
    const triggers = triggersOf(r);
    const memberSince = since.get(r.collection_id) ?? r.created_at;
    return {
      id: r.id,
      name: r.name,
      purpose: r.purpose,
      programId: r.program_id,
      triggers,
      availableAt: r.available_at,
      expiresAt: r.expires_at,
      extraAssignments: extraAssignmentsOf(r),
      timeBase: r.time_base,
      ...agentOptions(optionsOfRow(r)),
      revision: Math.max(r.revision, reruns.get(r.id) ?? 0),
      // On-enrolment runs count from the enrolment; otherwise from when the device became a
      // target (the later of the deployment's creation and its joining the collection).
      targetedAt: triggers.some((t) => t.type === 'on-enrolment')
        ? enrolledAt
        : r.created_at > memberSince
          ? r.created_at
          : memberSince,
    };
  });
  return { deployments, collectionIds };
}

/** Every maintenance window of these collections (the agent merges overlapping ones). */
export async function deviceWindows(
  db: Queryable,
  collectionIds: readonly string[],
): Promise<AssignmentsDocument['maintenanceWindows']> {
  if (collectionIds.length === 0) return [];
  const rows = await db
    .selectFrom('maintenance_window')
    .selectAll()
    .where('collection_id', 'in', [...collectionIds])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, ...windowBodyOf(r) }));
}
