import {
  evaluateCustomUpdate,
  type AgentProgram,
  type RuleProbes,
  type RuleSet,
  type UpdateComplianceState,
} from '@steward/protocol';
import type { ExecutorPort, RunOutcome } from '../../software/ports.js';

/** What installing or removing a custom update needs to know of it. */
export interface CustomUpdateRules {
  id: string;
  detection: RuleSet;
  applicability: RuleSet | null;
}

export type CustomApplyAction = 'install' | 'uninstall';

/** Why an install or uninstall did not do what it was asked, in stable words. */
export type CustomApplyFailure =
  'NO_PROGRAM' | 'NOT_APPLICABLE' | 'DETECTION_UNKNOWN' | 'PROGRAM_FAILED' | 'DETECTION_MISMATCH';

export interface CustomApplyResult {
  action: CustomApplyAction;
  /** `succeeded` also when nothing had to run (already installed / already absent). */
  result: 'succeeded' | 'reboot-pending' | 'failed';
  /** The program did not run: detection said the work was already done. */
  skipped: boolean;
  /** Detection before and after (after: undefined when no program ran). */
  stateBefore: UpdateComplianceState;
  stateAfter?: UpdateComplianceState;
  run?: RunOutcome;
  failure?: CustomApplyFailure;
  reason?: string;
  /** The rules' words from the last evaluation (what a console shows for a failure). */
  details: string[];
}

export interface CustomApplyRequest {
  action: CustomApplyAction;
  update: CustomUpdateRules;
  /** The update's install or uninstall program as the agent runs programs (with its manifest). */
  program: AgentProgram | null;
  /** The program's content, already prepared by the caller (ContentPort.prepare). */
  packageDir: string;
  /** The run's identity in the executor (survives an agent restart, ADR 0007). */
  runId: string;
  deploymentId: string;
  revision: number;
  executor: Pick<ExecutorPort, 'start' | 'wait'>;
  probes: RuleProbes;
}

/** The state that means the action is done: installed after install, anything else after removal. */
const done = (action: CustomApplyAction, s: UpdateComplianceState) =>
  action === 'install' ? s === 'installed' : s === 'required' || s === 'not-required';

/**
 * Installs or removes a custom update (ADR 0059): detection first (work already done is not
 * redone; an install where the update does not apply is refused), then the program through the
 * executor, then detection again, so success means the rules now agree, not only that the
 * program exited 0. A reboot exit code is `reboot-pending` whatever detection says (many
 * installers finish on restart); the caller re-scans after the restart.
 */
export async function applyCustomUpdate(req: CustomApplyRequest): Promise<CustomApplyResult> {
  const { action } = req;
  const before = await evaluateCustomUpdate(req.update, req.probes);
  const base = { action, stateBefore: before.state, details: before.details };
  if (done(action, before.state)) return { ...base, result: 'succeeded', skipped: true };
  const fail = (failure: CustomApplyFailure, reason: string, more = {}): CustomApplyResult => ({
    ...base,
    ...more,
    result: 'failed',
    skipped: false,
    failure,
    reason,
  });
  if (before.state === 'unknown')
    return fail('DETECTION_UNKNOWN', 'the detection rules cannot be decided on this machine');
  if (action === 'install' && before.state === 'not-required')
    return fail('NOT_APPLICABLE', 'the update does not apply to this machine');
  if (req.program === null) return fail('NO_PROGRAM', `the custom update has no ${action} program`);
  await req.executor.start({
    runId: req.runId,
    deploymentId: req.deploymentId,
    revision: req.revision,
    program: req.program,
    packageDir: req.packageDir,
  });
  const run = await req.executor.wait(req.runId);
  if (run.result === 'failed')
    return fail('PROGRAM_FAILED', run.reason ?? `the ${action} program failed`, { run });
  const after = await evaluateCustomUpdate(req.update, req.probes);
  const more = { run, stateAfter: after.state, details: after.details };
  if (run.result === 'reboot-pending')
    return { ...base, ...more, result: 'reboot-pending', skipped: false };
  if (!done(action, after.state))
    return fail(
      'DETECTION_MISMATCH',
      `the ${action} program succeeded but detection says ${after.state}`,
      more,
    );
  return { ...base, ...more, result: 'succeeded', skipped: false };
}
