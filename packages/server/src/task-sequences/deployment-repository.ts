import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable, type Tx } from '../db/database.js';
import { bootRunStates } from './boot-run-repository.js';

/** SQL of task-sequence deployments, their runs and the PXE lookups (ADR 0017, ADR 0076). */

type DeploymentTable = Database['task_sequence_deployment'];
export type DeploymentRow = Selectable<DeploymentTable>;
export type DeploymentView = DeploymentRow & {
  sequence_name: string;
  collection_name: string;
  boot_image_id: string | null;
};
export type RunState = Selectable<Database['task_sequence_run']>['state'];

function viewQuery(db: Queryable) {
  return db
    .selectFrom('task_sequence_deployment as d')
    .innerJoin('task_sequence as s', 's.id', 'd.sequence_id')
    .innerJoin('collection as c', 'c.id', 'd.collection_id')
    .innerJoin('task_sequence_version as v', (j) =>
      j.onRef('v.sequence_id', '=', 'd.sequence_id').onRef('v.version', '=', 'd.version'),
    )
    .selectAll('d')
    .select(['s.name as sequence_name', 'c.name as collection_name', 'v.boot_image_id']);
}

export async function findDeployment(
  db: Queryable,
  id: string,
): Promise<DeploymentView | undefined> {
  return viewQuery(db).where('d.id', '=', id).executeTakeFirst();
}

export async function listDeployments(
  db: Queryable,
  opts: { sequenceId?: string; collectionId?: string; offset: number; limit: number },
): Promise<{ rows: DeploymentView[]; total: number }> {
  let q = viewQuery(db);
  if (opts.sequenceId) q = q.where('d.sequence_id', '=', opts.sequenceId);
  if (opts.collectionId) q = q.where('d.collection_id', '=', opts.collectionId);
  const total = await q
    .clearSelect()
    .select((e) => e.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy('d.created_at')
    .orderBy('d.id')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
  return { rows, total: toNumber(total.n) };
}

export async function insertDeployment(tx: Tx, row: Insertable<DeploymentTable>): Promise<void> {
  await tx.insertInto('task_sequence_deployment').values(row).execute();
}

export async function updateDeployment(
  tx: Tx,
  id: string,
  fields: Updateable<DeploymentTable>,
): Promise<void> {
  await tx.updateTable('task_sequence_deployment').set(fields).where('id', '=', id).execute();
}

export async function deleteDeployment(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('task_sequence_deployment').where('id', '=', id).execute();
}

export interface RunCounts {
  members: number;
  /** The members' (devices') runs per state. */
  states: Map<RunState, number>;
  /** Boot-environment runs per state (ADR 0103): computers, no members of the collection. */
  bootStates: Map<RunState, number>;
}

/** Members of each deployment's collection, and its runs per state. */
export async function runCounts(
  db: Queryable,
  deployments: readonly { id: string; collection_id: string }[],
): Promise<Map<string, RunCounts>> {
  const out = new Map<string, RunCounts>();
  if (deployments.length === 0) return out;
  const collections = [...new Set(deployments.map((d) => d.collection_id))];
  const members = await db
    .selectFrom('collection_member')
    .select(['collection_id', (e) => e.fn.countAll().as('n')])
    .where('collection_id', 'in', collections)
    .groupBy('collection_id')
    .execute();
  const states = await db
    .selectFrom('task_sequence_run')
    .select(['deployment_id', 'state', (e) => e.fn.countAll().as('n')])
    .where(
      'deployment_id',
      'in',
      deployments.map((d) => d.id),
    )
    .groupBy(['deployment_id', 'state'])
    .execute();
  const memberCount = new Map(members.map((m) => [m.collection_id, toNumber(m.n)]));
  for (const d of deployments)
    out.set(d.id, {
      members: memberCount.get(d.collection_id) ?? 0,
      states: new Map(),
      bootStates: new Map(),
    });
  for (const s of states) out.get(s.deployment_id)?.states.set(s.state, toNumber(s.n));
  const boot = await bootRunStates(
    db,
    deployments.map((d) => d.id),
  );
  for (const s of boot) out.get(s.deployment_id)?.bootStates.set(s.state, s.n);
  return out;
}

export interface RunView {
  device_id: string;
  device_name: string;
  state: RunState | null;
  step_number: number | null;
  step_count: number | null;
  current_step: string | null;
  progress: string | null;
  updated_at: string | null;
}

/** Every member of the deployment's collection with its run, if it has one. */
export async function runsOfDeployment(
  db: Queryable,
  d: { id: string; collection_id: string },
): Promise<RunView[]> {
  return db
    .selectFrom('collection_member as m')
    .innerJoin('device as dv', 'dv.id', 'm.device_id')
    .leftJoin('task_sequence_run as r', (j) =>
      j.onRef('r.device_id', '=', 'm.device_id').on('r.deployment_id', '=', d.id),
    )
    .select([
      'dv.id as device_id',
      'dv.name as device_name',
      'r.state',
      'r.step_number',
      'r.step_count',
      'r.current_step',
      'r.progress',
      'r.updated_at',
    ])
    .where('m.collection_id', '=', d.collection_id)
    .orderBy('dv.name')
    .execute();
}

export async function runsOfDevice(
  db: Queryable,
  deviceId: string,
): Promise<(RunView & { deployment_id: string })[]> {
  return db
    .selectFrom('task_sequence_run as r')
    .innerJoin('device as dv', 'dv.id', 'r.device_id')
    .select([
      'r.deployment_id',
      'dv.id as device_id',
      'dv.name as device_name',
      'r.state',
      'r.step_number',
      'r.step_count',
      'r.current_step',
      'r.progress',
      'r.updated_at',
    ])
    .where('r.device_id', '=', deviceId)
    .orderBy('r.updated_at', 'desc')
    .execute();
}

// ---- the PXE decision ----

export interface PxeCandidate {
  id: string;
  name: string;
  purpose: DeploymentRow['purpose'];
  pxe_password: string | null;
  created_at: string;
  /** What the boot environment runs (ADR 0085): the deployed version and its collection. */
  sequence_id: string;
  version: number;
  collection_id: string;
  boot_image_name: string;
  boot_image_arch: string;
}

/**
 * Enabled deployments to these collections that PXE may run, already available at `now`, whose
 * sequence version names a boot image that is built.
 */
export async function pxeCandidates(
  db: Queryable,
  collectionIds: readonly string[],
  now: string,
): Promise<PxeCandidate[]> {
  if (collectionIds.length === 0) return [];
  return db
    .selectFrom('task_sequence_deployment as d')
    .innerJoin('task_sequence_version as v', (j) =>
      j.onRef('v.sequence_id', '=', 'd.sequence_id').onRef('v.version', '=', 'd.version'),
    )
    .innerJoin('boot_image as b', 'b.id', 'v.boot_image_id')
    .select([
      'd.id',
      'd.name',
      'd.purpose',
      'd.pxe_password',
      'd.created_at',
      'd.sequence_id',
      'd.version',
      'd.collection_id',
      'b.name as boot_image_name',
      'b.arch as boot_image_arch',
    ])
    .where('d.collection_id', 'in', collectionIds)
    .where('d.enabled', '=', 1)
    .where('d.available_to', 'in', ['media-and-pxe', 'clients-media-and-pxe'])
    .where('b.status', '=', 'ready')
    .where((e) => e.or([e('d.available_at', 'is', null), e('d.available_at', '<=', now)]))
    .orderBy('d.created_at')
    .execute();
}

export async function collectionsOfDevice(db: Queryable, deviceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('collection_member')
    .select('collection_id')
    .where('device_id', '=', deviceId)
    .execute();
  return rows.map((r) => r.collection_id);
}

/**
 * Devices whose inventory of `className` mentions `value` (a MAC or SMBIOS UUID): a coarse text
 * match the caller confirms against the parsed instances.
 */
export async function devicesMentioning(
  db: Queryable,
  className: 'systemIdentity' | 'networkAdapter',
  value: string,
): Promise<{ device_id: string; data: unknown }[]> {
  return db
    .selectFrom('device_inventory as i')
    .innerJoin('device as dv', 'dv.id', 'i.device_id')
    .select(['i.device_id', 'i.data'])
    .where('i.class_name', '=', className)
    .where('dv.revoked_at', 'is', null)
    .where(sql<boolean>`lower(cast(i.data as text)) like ${`%${value}%`}`)
    .limit(10)
    .execute();
}
