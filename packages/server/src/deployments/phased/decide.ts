import type { DeploymentSummary } from '@steward/protocol';

/** What the scheduler does with a running phase, decided from its summary and the clock alone. */
export type PhaseDecision =
  /** Nothing to do yet: the collection is empty, the threshold is not reached, or it soaks. */
  | { kind: 'wait'; why: 'empty' | 'below-threshold' | 'soaking' }
  | { kind: 'halt'; reason: string }
  /** The success threshold was reached now: the soak starts. */
  | { kind: 'soak'; thresholdReachedAt: string }
  /** The soak is over (possibly zero minutes after the threshold): the phase is complete. */
  | { kind: 'complete'; thresholdReachedAt: string };

export interface PhaseProgress {
  /** 0-based; messages count from 1 like the phases' deployment names. */
  index: number;
  successPercent: number;
  soakMinutes: number;
  thresholdReachedAt: string | null;
}

/** 33.333… → "33.3", 50 → "50": what an administrator reads in a halt reason. */
export function formatPercent(p: number): string {
  return String(Math.round(p * 10) / 10);
}

/**
 * Failures are checked first, also while soaking: a phase that goes bad during its soak halts the
 * rollout instead of carrying the fault into the next collection. A phase with no targeted device
 * neither fails nor succeeds (no division by zero, and an empty collection must not let the
 * rollout race through to the next phase unobserved).
 */
export function decidePhase(
  phase: PhaseProgress,
  summary: Pick<DeploymentSummary, 'targeted' | 'successPercent' | 'failurePercent'>,
  haltOnFailurePercent: number,
  now: Date,
): PhaseDecision {
  if (summary.targeted <= 0) return { kind: 'wait', why: 'empty' };
  if (summary.failurePercent > haltOnFailurePercent) {
    return {
      kind: 'halt',
      reason:
        `phase ${phase.index + 1}: ${formatPercent(summary.failurePercent)}% of devices failed ` +
        `(threshold ${haltOnFailurePercent}%)`,
    };
  }
  let reachedAt = phase.thresholdReachedAt;
  if (reachedAt === null) {
    if (summary.successPercent < phase.successPercent)
      return { kind: 'wait', why: 'below-threshold' };
    reachedAt = now.toISOString();
  }
  const soakEnds = Date.parse(reachedAt) + phase.soakMinutes * 60_000;
  if (now.getTime() >= soakEnds) return { kind: 'complete', thresholdReachedAt: reachedAt };
  return phase.thresholdReachedAt === null
    ? { kind: 'soak', thresholdReachedAt: reachedAt }
    : { kind: 'wait', why: 'soaking' };
}
