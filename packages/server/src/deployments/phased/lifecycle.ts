import type { DeploymentBody } from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { raiseSiteStatus } from '../../status/site-status.js';
import type { DeploymentService } from '../service.js';
import * as repo from './repository.js';
import type { Queryable } from '../../db/database.js';

/**
 * The state changes of a rollout (start a phase, halt, resume, complete), each written inside the
 * caller's transaction with its audit row and status message. Nudges wait for the commit: a device
 * told to re-evaluate before the commit would fetch the old assignments.
 */
export type PhaseDeployer = Pick<DeploymentService, 'createInTransaction' | 'nudgeDeployment'>;

const TARGET_TYPE = 'phased-deployment';
const NAME_MAX = 200;

/** What to do once the transaction has committed. */
export class AfterCommit {
  readonly nudges = new Set<string>();
  statuses = 0;

  async flush(ctx: SiteContext, deployments: PhaseDeployer): Promise<void> {
    for (const deploymentId of this.nudges) {
      try {
        await deployments.nudgeDeployment(deploymentId);
      } catch (err) {
        // The change is committed; agents still see it at their next assignment poll.
        ctx.log.warn({ err, deploymentId }, 'could not nudge the devices of a phase deployment');
      }
    }
    if (this.statuses > 0) await ctx.bus.publish('status-ingested', { count: this.statuses });
  }
}

/** "<name> — phase N", the rollout's name shortened so the whole still fits a deployment name. */
export function phaseDeploymentName(rolloutName: string, idx: number): string {
  const suffix = ` — phase ${idx + 1}`;
  return rolloutName.slice(0, NAME_MAX - suffix.length) + suffix;
}

function phaseDeploymentBody(rollout: repo.PhasedRow, phase: repo.PhaseRow): DeploymentBody {
  // `enabled` is not taken from the settings: a rollout is stopped by halting it, and a phase
  // created disabled would never reach its threshold.
  const settings = { ...repo.settingsOf(rollout) };
  delete settings.enabled;
  return {
    ...settings,
    name: phaseDeploymentName(rollout.name, phase.idx),
    programId: rollout.program_id,
    collectionId: phase.collection_id,
    purpose: 'required',
    triggers: settings.triggers?.length ? settings.triggers : [{ type: 'asap' }],
  };
}

export interface Step {
  ctx: SiteContext;
  tx: Queryable;
  actor: Actor;
  at: string;
  effects: AfterCommit;
}

/** Creates the phase's required deployment and makes it the rollout's current phase (PHASE_STARTED). */
export async function startPhase(
  s: Step,
  deployments: PhaseDeployer,
  rollout: repo.PhasedRow,
  phase: repo.PhaseRow,
): Promise<string> {
  const deploymentId = await deployments.createInTransaction(
    s.tx,
    s.actor,
    phaseDeploymentBody(rollout, phase),
    { phasedDeploymentId: rollout.id },
  );
  await repo.updatePhase(s.tx, rollout.id, phase.idx, {
    state: 'running',
    deploymentId,
    startedAt: s.at,
  });
  await repo.updatePhased(s.tx, rollout.id, { currentPhase: phase.idx, at: s.at });
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.phase-start',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phase: phase.idx + 1, collectionId: phase.collection_id, deploymentId },
  });
  await raiseSiteStatus(
    s.ctx,
    {
      message: 'PHASE_STARTED',
      insertionStrings: [rollout.name, String(phase.idx + 1), phase.collection_name],
      attributes: { phasedDeploymentId: rollout.id, deploymentId },
    },
    s.tx,
  );
  s.effects.nudges.add(deploymentId);
  s.effects.statuses += 1;
  return deploymentId;
}

/**
 * Halts the rollout in `phase` and disables the phase's deployment so that nothing more runs
 * (devices that already ran keep their state; the monitoring still shows them). PHASED_DEPLOYMENT_HALTED.
 */
export async function haltRollout(
  s: Step,
  rollout: repo.PhasedRow,
  phase: repo.PhaseRow,
  reason: string,
  how: 'automatic' | 'manual',
): Promise<void> {
  await repo.updatePhased(s.tx, rollout.id, {
    state: 'halted',
    currentPhase: phase.idx,
    haltReason: reason,
    at: s.at,
  });
  await repo.updatePhase(s.tx, rollout.id, phase.idx, { state: 'halted' });
  if (phase.deployment_id !== null) {
    await repo.setDeploymentEnabled(s.tx, phase.deployment_id, false, s.at);
    s.effects.nudges.add(phase.deployment_id);
  }
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.halt',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phase: phase.idx + 1, reason, how, deploymentId: phase.deployment_id },
  });
  const text = how === 'manual' ? `${reason} (halted by ${s.actor.userName})` : reason;
  await raiseSiteStatus(
    s.ctx,
    {
      message: 'PHASED_DEPLOYMENT_HALTED',
      insertionStrings: [rollout.name, String(phase.idx + 1), text],
      attributes: { phasedDeploymentId: rollout.id },
    },
    s.tx,
  );
  s.effects.statuses += 1;
}

/**
 * Resumes a halted rollout where it stopped: the phase's deployment is enabled again (or created
 * anew when it never started or was deleted) and the phase keeps its soak if it had reached its
 * threshold. If the failures are still above the threshold, the next pass halts it again.
 */
export async function resumeRollout(
  s: Step,
  deployments: PhaseDeployer,
  rollout: repo.PhasedRow,
  phase: repo.PhaseRow,
): Promise<void> {
  await repo.updatePhased(s.tx, rollout.id, { state: 'running', haltReason: null, at: s.at });
  const existing =
    phase.deployment_id !== null && (await repo.deploymentExists(s.tx, phase.deployment_id))
      ? phase.deployment_id
      : null;
  if (existing === null) {
    await startPhase(s, deployments, rollout, phase);
  } else {
    await repo.updatePhase(s.tx, rollout.id, phase.idx, {
      state: phase.threshold_reached_at === null ? 'running' : 'soaking',
    });
    await repo.setDeploymentEnabled(s.tx, existing, true, s.at);
    s.effects.nudges.add(existing);
  }
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.resume',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phase: phase.idx + 1, previousHaltReason: rollout.halt_reason },
  });
}

export async function markThresholdReached(
  s: Step,
  rollout: repo.PhasedRow,
  phase: repo.PhaseRow,
  thresholdReachedAt: string,
): Promise<void> {
  await repo.updatePhase(s.tx, rollout.id, phase.idx, { state: 'soaking', thresholdReachedAt });
  await repo.updatePhased(s.tx, rollout.id, { at: s.at });
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.threshold-reached',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phase: phase.idx + 1, soakMinutes: phase.soak_minutes },
  });
}

export async function completePhase(
  s: Step,
  rollout: repo.PhasedRow,
  phase: repo.PhaseRow,
  thresholdReachedAt: string,
): Promise<void> {
  await repo.updatePhase(s.tx, rollout.id, phase.idx, {
    state: 'completed',
    thresholdReachedAt,
    completedAt: s.at,
  });
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.phase-complete',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phase: phase.idx + 1, deploymentId: phase.deployment_id },
  });
}

/** Every phase is complete (PHASED_DEPLOYMENT_COMPLETED). Phase deployments stay enabled for devices that join later. */
export async function completeRollout(
  s: Step,
  rollout: repo.PhasedRow,
  phaseCount: number,
): Promise<void> {
  await repo.updatePhased(s.tx, rollout.id, { state: 'completed', at: s.at });
  await writeAudit(s.tx, s.actor, s.at, {
    action: 'phased-deployment.complete',
    targetType: TARGET_TYPE,
    targetId: rollout.id,
    details: { phases: phaseCount },
  });
  await raiseSiteStatus(
    s.ctx,
    {
      message: 'PHASED_DEPLOYMENT_COMPLETED',
      insertionStrings: [rollout.name, String(phaseCount)],
      attributes: { phasedDeploymentId: rollout.id },
    },
    s.tx,
  );
  s.effects.statuses += 1;
}
