import { AppError } from '@steward/protocol';
import { SYSTEM_ACTOR, nowIso, type SiteContext } from '../../context.js';
import { deploymentSummary } from '../summary.js';
import { decidePhase } from './decide.js';
import {
  AfterCommit,
  completePhase,
  completeRollout,
  haltRollout,
  markThresholdReached,
  startPhase,
  type PhaseDeployer,
  type Step,
} from './lifecycle.js';
import * as repo from './repository.js';
import { type Queryable, inTransaction } from '../../db/database.js';

/**
 * Scheduler job (leader only, every few seconds): moves every running rollout on by the server
 * clock. Each rollout is decided in its own transaction under its row lock, so one rollout that
 * cannot advance never holds back the others.
 */
export async function advancePhasedDeployments(
  ctx: SiteContext,
  deployments: PhaseDeployer,
): Promise<void> {
  for (const id of await repo.runningPhasedIds(ctx.db.kysely)) {
    try {
      await advanceOne(ctx, deployments, id);
    } catch (err) {
      ctx.log.error({ err, phasedDeploymentId: id }, 'could not advance a phased deployment');
    }
  }
}

async function advanceOne(ctx: SiteContext, deployments: PhaseDeployer, id: string): Promise<void> {
  let effects = new AfterCommit();
  try {
    await inTransaction(ctx.db.kysely, (tx) => stepRollout(ctx, tx, deployments, id, effects));
  } catch (err) {
    // The deployment service refused the next phase's deployment (its collection was deleted,
    // its schedule is now in the past...): retrying would fail the same way every pass, so the
    // rollout halts there and says why.
    if (!(err instanceof AppError)) throw err;
    effects = new AfterCommit();
    const refusal = `${err.code}: ${err.message}`;
    await inTransaction(ctx.db.kysely, (tx) =>
      stepRollout(ctx, tx, deployments, id, effects, refusal),
    );
  }
  await effects.flush(ctx, deployments);
}

/**
 * One decision for one rollout. With `startRefusal` set, the phase that would start is halted with
 * that reason instead of being started.
 */
async function stepRollout(
  ctx: SiteContext,
  tx: Queryable,
  deployments: PhaseDeployer,
  id: string,
  effects: AfterCommit,
  startRefusal?: string,
): Promise<void> {
  const rollout = await repo.lockPhased(tx, ctx.db.dialect, id);
  if (!rollout || repo.rolloutStateOf(rollout) !== 'running') return;
  const phases = await repo.phasesOf(tx, [id]);
  const phase = phases[rollout.current_phase];
  if (!phase) return;
  const s: Step = { ctx, tx, actor: SYSTEM_ACTOR, at: nowIso(ctx), effects };

  if (phase.deployment_id === null || !(await repo.deploymentExists(tx, phase.deployment_id))) {
    const reason = `phase ${phase.idx + 1}: its deployment no longer exists`;
    await haltRollout(s, rollout, phase, reason, 'automatic');
    return;
  }
  const now = ctx.clock.now();
  const summary = await deploymentSummary(tx, phase.deployment_id, now);
  const decision = decidePhase(
    {
      index: phase.idx,
      successPercent: phase.success_percent,
      soakMinutes: phase.soak_minutes,
      thresholdReachedAt: phase.threshold_reached_at,
    },
    summary,
    rollout.halt_on_failure_percent,
    now,
  );
  switch (decision.kind) {
    case 'wait':
      return;
    case 'halt':
      await haltRollout(s, rollout, phase, decision.reason, 'automatic');
      return;
    case 'soak':
      await markThresholdReached(s, rollout, phase, decision.thresholdReachedAt);
      return;
    case 'complete': {
      await completePhase(s, rollout, phase, decision.thresholdReachedAt);
      const next = phases[phase.idx + 1];
      if (!next) {
        await completeRollout(s, rollout, phases.length);
      } else if (startRefusal !== undefined) {
        const reason = `phase ${next.idx + 1} could not start: ${startRefusal}`;
        await haltRollout(s, rollout, next, reason, 'automatic');
      } else {
        await startPhase(s, deployments, rollout, next);
      }
      return;
    }
  }
}
