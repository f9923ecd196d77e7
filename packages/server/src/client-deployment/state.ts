/**
 * Client deployment state of one device (Monitoring > Client status), as defined in
 * `docs/client-deployment.md`. The definitions live in that document; this function follows it
 * rule by rule, in the same order, and every state carries the reason it was chosen, so a
 * dashboard never shows a state without saying why (the seeds' warning about site-role hosts in a
 * pre-production collection reading "Not started" although correctly deployed).
 */

import type { ClientDeploymentState, ClientRollout } from '@steward/protocol';

export {
  CLIENT_DEPLOYMENT_STATES,
  type ClientDeploymentState,
  type ClientRollout,
} from '@steward/protocol';

/** The latest install or upgrade attempt towards a version (a push, or the agent's own upgrade). */
export interface ClientInstallAttempt {
  /** The agent version the attempt installs. */
  version: string;
  outcome: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** Why it failed: an error code and message, or the agent's rollback reason. */
  error: string | null;
}

export interface ClientDeploymentInput {
  rollout: ClientRollout;
  /**
   * Member of the exclusion collection (ADR 0027): excluded from automatic client upgrade, so it
   * follows no rollout by itself. Shown on the Production dashboard against the production
   * version, and never "Not started" (it will not upgrade by itself): rule 6 below.
   */
  excluded?: boolean;
  /** The version this device must run: the pre-production version for pre-production devices. */
  expectedVersion: string;
  /** When `expectedVersion` became expected for this device's rollout (a promotion, a new setting). */
  expectedSince: string;
  /** Hours within which each agent upgrades, at a random time (spreads the load). */
  upgradeWindowHours: number;
  /** What the agent last reported; null before its first report. */
  agentVersion: string | null;
  /** The device reported within the activity thresholds. */
  active: boolean;
  lastContactAt: string | null;
  latestAttempt: ClientInstallAttempt | null;
  /** The latest client check: null when none ran yet; otherwise the failed checks (empty = healthy). */
  failedChecks: readonly string[] | null;
  /** An attempt still `running` after this long is treated as failed (it will never finish). */
  attemptTimeoutMs: number;
  now: Date;
}

export interface ClientDeploymentVerdict {
  state: ClientDeploymentState;
  reason: string;
}

/** Applies the rules of `docs/client-deployment.md` ("States"), first match wins. */
export function clientDeploymentState(i: ClientDeploymentInput): ClientDeploymentVerdict {
  const expected = `${i.rollout} version ${i.expectedVersion}`;
  const attempt = i.latestAttempt?.version === i.expectedVersion ? i.latestAttempt : null;
  const attemptAge = attempt ? i.now.getTime() - Date.parse(attempt.startedAt) : 0;

  // 1. Unknown: nothing current is known of a device that stopped reporting.
  if (!i.active)
    return {
      state: 'unknown',
      reason: i.lastContactAt
        ? `no contact since ${i.lastContactAt}: its client state cannot be known`
        : 'never reported: its client state cannot be known',
    };
  // 2. Failed: the latest attempt towards the expected version failed (or never finished).
  if (attempt?.outcome === 'failed')
    return { state: 'failed', reason: attempt.error ?? `installing ${expected} failed` };
  if (attempt?.outcome === 'running' && attemptAge > i.attemptTimeoutMs)
    return {
      state: 'failed',
      reason: `installing ${expected} started ${attempt.startedAt} and never finished`,
    };
  // 3. In progress: an attempt towards the expected version is under way.
  if (attempt?.outcome === 'running' && i.agentVersion !== i.expectedVersion)
    return { state: 'in-progress', reason: `installing ${expected} since ${attempt.startedAt}` };
  if (i.agentVersion === i.expectedVersion) {
    // 4./5. The expected version runs: healthy is Compliant, a failing client check is not.
    if (i.failedChecks && i.failedChecks.length > 0)
      return {
        state: 'noncompliant',
        reason: `runs ${expected} but client check failed: ${i.failedChecks.join(', ')}`,
      };
    return {
      state: 'compliant',
      reason:
        i.failedChecks === null
          ? `runs ${expected} (no client check yet)`
          : `runs ${expected} and passed its client check`,
    };
  }
  // 6./5. Another version runs: Not started while its upgrade window is open, Noncompliant after.
  const running = i.agentVersion === null ? 'no version reported' : `runs ${i.agentVersion}`;
  if (i.excluded === true)
    return {
      state: 'noncompliant',
      reason: `${running}, not ${expected}: excluded from automatic client upgrade (exclusion collection)`,
    };
  const deadline = Date.parse(i.expectedSince) + i.upgradeWindowHours * 3600_000;
  if (i.now.getTime() < deadline)
    return {
      state: 'not-started',
      reason: `${running}; upgrades to ${expected} by ${new Date(deadline).toISOString()}`,
    };
  return {
    state: 'noncompliant',
    reason: `${running}, expected ${expected} since ${new Date(deadline).toISOString()}`,
  };
}
