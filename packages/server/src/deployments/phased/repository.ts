import { Type, type Static } from '@sinclair/typebox';
import type { Selectable, Updateable } from 'kysely';
import { DeploymentBody, type Phase, type PhasedDeploymentState } from '@steward/protocol';
import type { DeploymentPhaseTable, PhasedDeploymentTable } from '../../db/tables/index.js';
import { checkRow, parseJsonColumn } from '../../db/corrupt-row.js';
import { collectionNames } from '../../collections/repository.js';
import { packageHeads } from '../../content/repository.js';
import type { Queryable } from '../../db/database.js';

/** SQL for phased deployments (`phased_deployment`) and their phases (`deployment_phase`). */
export type PhasedRow = Selectable<PhasedDeploymentTable> & {
  program_name: string;
  package_id: string;
};
export type PhaseRow = Selectable<DeploymentPhaseTable> & { collection_name: string };
export type PhaseState = Phase['state'];
export type RolloutState = Static<typeof PhasedDeploymentState>;

/** The settings every phase's deployment is created with (what the create request carried). */
export const PhaseDeploymentSettings = Type.Omit(DeploymentBody, [
  'programId',
  'collectionId',
  'purpose',
  'name',
]);
export type PhaseDeploymentSettings = Static<typeof PhaseDeploymentSettings>;

/** A phase's state, checked: a stored state outside the union is a corrupt row. */
export function phaseStateOf(
  row: Pick<PhaseRow, 'phased_deployment_id' | 'idx' | 'state'>,
): PhaseState {
  const id = `${row.phased_deployment_id}/${row.idx}`;
  return checkRow('deployment_phase', id, { state: row.state }).state;
}

export function rolloutStateOf(row: Pick<PhasedRow, 'id' | 'state'>): RolloutState {
  return checkRow('phased_deployment', row.id, { state: row.state }).state;
}

/** Stored settings, checked on the way out (a corrupt row must not create a bad deployment). */
export function settingsOf(
  row: Pick<PhasedRow, 'id' | 'deployment_settings'>,
): PhaseDeploymentSettings {
  return parseJsonColumn(PhaseDeploymentSettings, row.deployment_settings, {
    table: 'phased_deployment',
    id: row.id,
    column: 'deployment_settings',
  });
}

function phasedQuery(db: Queryable) {
  return db
    .selectFrom('phased_deployment as pd')
    .innerJoin('program as p', 'p.id', 'pd.program_id')
    .selectAll('pd')
    .select(['p.name as program_name', 'p.package_id']);
}

export async function findPhased(db: Queryable, idOrName: string): Promise<PhasedRow | undefined> {
  const byId = await phasedQuery(db).where('pd.id', '=', idOrName).executeTakeFirst();
  return byId ?? phasedQuery(db).where('pd.name', '=', idOrName).executeTakeFirst();
}

export function listPhased(db: Queryable): Promise<PhasedRow[]> {
  return phasedQuery(db).orderBy('pd.created_at', 'desc').orderBy('pd.id').execute();
}

/**
 * PostgreSQL: holds the rollout's row until the transaction ends, so the scheduler's advance and an
 * administrator's halt never interleave. SQLite has a single writer and needs no lock.
 */
export async function lockPhased(
  db: Queryable,
  dialect: 'sqlite' | 'postgres',
  id: string,
): Promise<PhasedRow | undefined> {
  if (dialect === 'postgres')
    await db
      .selectFrom('phased_deployment')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .execute();
  return phasedQuery(db).where('pd.id', '=', id).executeTakeFirst();
}

export async function runningPhasedIds(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('phased_deployment')
    .select('id')
    .where('state', '=', 'running')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

export function phasesOf(db: Queryable, phasedIds: readonly string[]): Promise<PhaseRow[]> {
  if (phasedIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('deployment_phase as ph')
    .innerJoin(collectionNames(db).as('c'), 'c.id', 'ph.collection_id')
    .selectAll('ph')
    .select('c.name as collection_name')
    .where('ph.phased_deployment_id', 'in', phasedIds)
    .orderBy('ph.phased_deployment_id')
    .orderBy('ph.idx')
    .execute();
}

export async function insertPhased(
  tx: Queryable,
  row: {
    id: string;
    name: string;
    programId: string;
    haltOnFailurePercent: number;
    settings: PhaseDeploymentSettings;
    by: string;
    at: string;
  },
): Promise<void> {
  await tx
    .insertInto('phased_deployment')
    .values({
      id: row.id,
      name: row.name,
      program_id: row.programId,
      state: 'running',
      halt_on_failure_percent: row.haltOnFailurePercent,
      current_phase: 0,
      halt_reason: null,
      deployment_settings: JSON.stringify(row.settings),
      created_by: row.by,
      created_at: row.at,
      updated_at: row.at,
    })
    .execute();
}

export async function insertPhases(
  tx: Queryable,
  phasedId: string,
  phases: readonly { collectionId: string; successPercent: number; soakMinutes: number }[],
): Promise<void> {
  await tx
    .insertInto('deployment_phase')
    .values(
      phases.map((p, idx) => ({
        phased_deployment_id: phasedId,
        idx,
        collection_id: p.collectionId,
        success_percent: p.successPercent,
        soak_minutes: p.soakMinutes,
        state: 'waiting',
        deployment_id: null,
        started_at: null,
        threshold_reached_at: null,
        completed_at: null,
      })),
    )
    .execute();
}

export async function updatePhased(
  tx: Queryable,
  id: string,
  patch: {
    state?: RolloutState;
    currentPhase?: number;
    haltReason?: string | null;
    at: string;
  },
): Promise<void> {
  const set: Updateable<PhasedDeploymentTable> = { updated_at: patch.at };
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.currentPhase !== undefined) set.current_phase = patch.currentPhase;
  if (patch.haltReason !== undefined) set.halt_reason = patch.haltReason;
  await tx.updateTable('phased_deployment').set(set).where('id', '=', id).execute();
}

export async function updatePhase(
  tx: Queryable,
  phasedId: string,
  idx: number,
  patch: {
    state?: PhaseState;
    deploymentId?: string;
    startedAt?: string;
    thresholdReachedAt?: string;
    completedAt?: string;
  },
): Promise<void> {
  const set: Updateable<DeploymentPhaseTable> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.deploymentId !== undefined) set.deployment_id = patch.deploymentId;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.thresholdReachedAt !== undefined) set.threshold_reached_at = patch.thresholdReachedAt;
  if (patch.completedAt !== undefined) set.completed_at = patch.completedAt;
  await tx
    .updateTable('deployment_phase')
    .set(set)
    .where('phased_deployment_id', '=', phasedId)
    .where('idx', '=', idx)
    .execute();
}

/**
 * Halting stops a phase's deployment where agents look (the assignment document carries only
 * enabled deployments); the deployment service's nudge then tells its devices after commit.
 */
export async function setDeploymentEnabled(
  tx: Queryable,
  deploymentId: string,
  enabled: boolean,
  at: string,
): Promise<void> {
  await tx
    .updateTable('deployment')
    .set({ enabled: enabled ? 1 : 0, updated_at: at })
    .where('id', '=', deploymentId)
    .execute();
}

export async function deploymentExists(db: Queryable, deploymentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('deployment')
    .select('id')
    .where('id', '=', deploymentId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The program and whether its package has a current version (content to deploy). */
export function findProgramForDeployment(
  db: Queryable,
  programId: string,
): Promise<{ id: string; name: string; current_version_id: string | null } | undefined> {
  return db
    .selectFrom('program as p')
    .innerJoin(packageHeads(db).as('sp'), 'sp.id', 'p.package_id')
    .select(['p.id', 'p.name', 'sp.current_version_id'])
    .where('p.id', '=', programId)
    .executeTakeFirst();
}
