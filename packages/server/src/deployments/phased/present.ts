import type { DeploymentSummary, Phase, PhasedDeployment } from '@steward/protocol';
import { deploymentSummary } from '../summary.js';
import * as repo from './repository.js';
import type { Queryable } from '../../db/database.js';

/** Rows to the API's PhasedDeployment, each started phase with its deployment's live summary. */
export async function toPhasedDeployments(
  db: Queryable,
  rows: readonly repo.PhasedRow[],
  now: Date,
): Promise<PhasedDeployment[]> {
  const phases = await repo.phasesOf(
    db,
    rows.map((r) => r.id),
  );
  const byRollout = new Map<string, repo.PhaseRow[]>();
  for (const p of phases) {
    const list = byRollout.get(p.phased_deployment_id) ?? [];
    list.push(p);
    byRollout.set(p.phased_deployment_id, list);
  }
  const out: PhasedDeployment[] = [];
  for (const row of rows) {
    const list = await Promise.all((byRollout.get(row.id) ?? []).map((p) => toPhase(db, p, now)));
    out.push({
      id: row.id,
      name: row.name,
      programId: row.program_id,
      programName: row.program_name,
      packageId: row.package_id,
      state: repo.rolloutStateOf(row),
      haltOnFailurePercent: row.halt_on_failure_percent,
      currentPhase: row.current_phase,
      haltReason: row.halt_reason,
      phases: list,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
  }
  return out;
}

async function toPhase(db: Queryable, p: repo.PhaseRow, now: Date): Promise<Phase> {
  return {
    index: p.idx,
    collectionId: p.collection_id,
    collectionName: p.collection_name,
    successPercent: p.success_percent,
    soakMinutes: p.soak_minutes,
    state: repo.phaseStateOf(p),
    deploymentId: p.deployment_id,
    startedAt: p.started_at,
    thresholdReachedAt: p.threshold_reached_at,
    completedAt: p.completed_at,
    summary: await phaseSummary(db, p.deployment_id, now),
  };
}

/**
 * A phase that has not started has no summary. An empty collection gives `targeted: 0`, which is
 * how the console tells that the phase can never reach its threshold.
 */
async function phaseSummary(
  db: Queryable,
  deploymentId: string | null,
  now: Date,
): Promise<DeploymentSummary | null> {
  if (deploymentId === null || !(await repo.deploymentExists(db, deploymentId))) return null;
  return deploymentSummary(db, deploymentId, now);
}
