import type { RunFailure, RunOutcome, RunRecord } from './run-record.js';

export const INTERRUPTED: RunFailure = {
  reasonCode: 'INTERRUPTED',
  reason: 'the program stopped without recording an exit status (agent or machine restarted?)',
};

/** Exit codes decide unless the run was stopped or never ran; success wins over reboot. */
export function classify(
  record: Pick<RunRecord, 'successExitCodes' | 'rebootExitCodes'>,
  exitCode: number | null,
  failure: RunFailure | undefined,
): Pick<RunOutcome, 'result' | 'reasonCode' | 'reason'> {
  if (failure !== undefined) return { result: 'failed', ...failure };
  if (exitCode === null) return { result: 'failed', ...INTERRUPTED };
  if (record.successExitCodes.includes(exitCode)) return { result: 'succeeded' };
  if (record.rebootExitCodes.includes(exitCode)) return { result: 'reboot-pending' };
  return { result: 'failed', reasonCode: 'EXIT_CODE', reason: `exit code ${exitCode}` };
}

/** For an outcome found on disk whose record is gone (it is all `running()` needs). */
export function placeholderRecord(o: RunOutcome): RunRecord {
  return {
    version: 1,
    runId: o.runId,
    deploymentId: o.deploymentId,
    revision: o.revision,
    programId: '',
    programName: '',
    packageDir: '',
    workDir: '',
    commandLine: '',
    runAs: 'root',
    maxRunMinutes: 0,
    successExitCodes: [],
    rebootExitCodes: [],
    startedAt: o.startedAt,
  };
}
