import { randomUUID } from 'node:crypto';
import type { AgentDeployment, AgentProgram } from '@steward/protocol';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { runNames, type DeploymentReporter, type RunNames } from './deployment-reporter.js';
import type {
  DeploymentRecord,
  DeploymentStateStore,
  RunRecord,
  RunResult,
} from './deployment-state.js';
import type { ExecutorPort, RunOutcome } from './ports.js';

export const PROGRAM_DISABLED = 'PROGRAM_DISABLED';

export interface OutcomeRecorderOptions {
  executor: ExecutorPort;
  store: DeploymentStateStore;
  reporter: DeploymentReporter;
  clock: Clock;
  log: Logger;
  /** The current assignments, for names in status messages. */
  lookup(): {
    deployments: ReadonlyMap<string, AgentDeployment>;
    programs: ReadonlyMap<string, AgentProgram>;
  };
  /** An outcome was recorded: evaluate again and deliver the outbox. */
  onSettled(): void;
}

/**
 * Records how runs ended, exactly once (ADR 0007): the outcome goes to the outbox, then the run
 * record moves to `reportedRuns`, then the executor forgets the run. A crash anywhere repeats at
 * most the last step, or the report with the same runId, which the site counts once.
 */
export class OutcomeRecorder {
  constructor(private readonly o: OutcomeRecorderOptions) {}

  /** Fails a due deployment that cannot run (dependency problems) and consumes its trigger. */
  async failWithoutRun(
    dep: AgentDeployment,
    program: AgentProgram | undefined,
    reasonCode: string,
    reason: string,
  ): Promise<void> {
    const names = this.names(dep.id, program?.id ?? dep.programId);
    const runId = randomUUID();
    await this.o.reporter.state({
      deploymentId: dep.id,
      revision: dep.revision,
      state: 'failed',
      runId,
      reasonCode,
      reason,
      lastRunAt: this.nowIso(),
    });
    await this.o.reporter.message('PROGRAM_NOT_APPLICABLE', names, reason);
    await this.consume(dep, 'failed');
    this.o.onSettled();
  }

  /** Reports an outcome once; returns it as reported (a disabled program's stop is a failure). */
  async finish(raw: RunOutcome): Promise<RunOutcome> {
    const state = this.o.store.current;
    if (state.reportedRuns.includes(raw.runId)) {
      await this.acknowledge(raw.runId);
      return raw;
    }
    const dep = this.o.lookup().deployments.get(raw.deploymentId);
    const run: RunRecord = state.runs[raw.runId] ?? {
      runId: raw.runId,
      deploymentId: raw.deploymentId,
      revision: raw.revision,
      programId: dep?.programId ?? '',
      role: 'main',
    };
    const outcome: RunOutcome =
      run.stopReason === PROGRAM_DISABLED
        ? {
            ...raw,
            result: 'failed',
            reasonCode: PROGRAM_DISABLED,
            reason: 'the program was disabled',
          }
        : raw;
    await this.reportOutcome(run, outcome);
    await this.o.store.update((d) => {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the run store is a JSON document, read and written as is; a Map would be converted on every load and save
      delete d.runs[run.runId];
      d.reportedRuns.push(run.runId);
      if (run.programId !== '')
        d.programs[run.programId] = { lastResult: outcome.result, lastRunAt: outcome.startedAt };
      if (run.role === 'main' || outcome.result === 'failed') {
        const rec = d.deployments[run.deploymentId] ?? {};
        d.deployments[run.deploymentId] = {
          ...(run.role === 'dependency'
            ? startedRecord(rec, run.revision, outcome.startedAt, this.nowMs())
            : rec),
          lastResult: outcome.result,
          lastExitCode: outcome.exitCode,
          lastState: outcome.result,
          reportedKey: undefined,
        };
      }
    });
    await this.acknowledge(run.runId);
    this.o.onSettled();
    return outcome;
  }

  private async reportOutcome(run: RunRecord, outcome: RunOutcome): Promise<void> {
    const names = this.names(run.deploymentId, run.programId);
    const terminal = {
      deploymentId: run.deploymentId,
      revision: run.revision,
      runId: run.runId,
      lastRunAt: outcome.startedAt,
      outputTail: outcome.outputTail,
      ...(outcome.restart === undefined ? {} : { restart: outcome.restart }),
      ...(outcome.exitCode === null ? {} : { exitCode: outcome.exitCode }),
    };
    // Throws when the outbox cannot take it: the run is then kept (not moved to reportedRuns,
    // not acknowledged) and reported again when the agent next starts.
    if (run.role === 'main') {
      await this.o.reporter.durableState({
        ...terminal,
        state: outcome.result,
        ...reasonOf(outcome.reasonCode, outcome.reason),
      });
    } else if (outcome.result === 'failed') {
      await this.o.reporter.durableState({
        ...terminal,
        state: 'failed',
        reasonCode: 'DEPENDENCY_FAILED',
        reason:
          `program "${names.programName}", which must run first, failed${outcome.reason === undefined ? '' : `: ${outcome.reason}`}`.slice(
            0,
            2000,
          ),
      });
    }
    await this.o.reporter.message(
      resultMessage(outcome.result),
      names,
      outcome.exitCode === null ? '-' : String(outcome.exitCode),
    );
    if (outcome.reasonCode === PROGRAM_DISABLED)
      await this.o.reporter.message('PROGRAM_STOPPED', names, 'the program was disabled');
    this.o.log.info(
      `run ${run.runId} of deployment ${run.deploymentId} (${names.programName}): ${outcome.result}` +
        (outcome.exitCode === null ? '' : `, exit code ${outcome.exitCode}`),
    );
  }

  private async consume(dep: AgentDeployment, result: RunResult): Promise<void> {
    const at = this.nowIso();
    await this.o.store.updateDeployment(dep.id, (r) => ({
      ...startedRecord(r, dep.revision, at, this.nowMs()),
      lastResult: result,
      lastState: result,
      lastExitCode: null,
      reportedKey: undefined,
    }));
  }

  private async acknowledge(runId: string): Promise<void> {
    await this.o.executor
      .acknowledge(runId)
      .catch((err: unknown) => this.o.log.warn(`run ${runId}: ${errorMessage(err)}`));
  }

  /** Status-message names from the current assignments (the runner's messages use them too). */
  names(deploymentId: string, programId: string): RunNames {
    const { deployments, programs } = this.o.lookup();
    return runNames(
      deployments.get(deploymentId),
      deploymentId,
      programs.get(programId),
      programId,
    );
  }

  private nowMs(): number {
    return this.o.clock.now().getTime();
  }

  private nowIso(): string {
    return this.o.clock.now().toISOString();
  }
}

/**
 * The record of a deployment whose run (or failed attempt) starts now: the revision ran, every
 * trigger up to now is consumed, a Software Center request or postponement is used up.
 */
export function startedRecord(
  rec: DeploymentRecord | undefined,
  revision: number,
  startedAt: string,
  nowMs: number,
): DeploymentRecord {
  const next: DeploymentRecord = {
    ...rec,
    lastRunRevision: revision,
    lastRunAt: startedAt,
    consumedMs: Math.max(nowMs, rec?.consumedMs ?? 0),
    lastState: 'running',
  };
  delete next.requestedAtMs;
  delete next.requestedBy;
  delete next.postponedUntilMs;
  delete next.postponeDeadlineMs;
  delete next.retryAtMs;
  return next;
}

export function failedOutcome(
  runId: string,
  dep: AgentDeployment,
  reasonCode: string,
  reason: string,
  startedAt: string,
): RunOutcome {
  return {
    runId,
    deploymentId: dep.id,
    revision: dep.revision,
    exitCode: null,
    result: 'failed',
    reasonCode,
    reason,
    outputTail: '',
    startedAt,
    finishedAt: startedAt,
  };
}

function reasonOf(code: string | undefined, reason: string | undefined) {
  return {
    ...(code === undefined ? {} : { reasonCode: code.slice(0, 64) }),
    ...(reason === undefined ? {} : { reason: reason.slice(0, 2000) }),
  };
}

function resultMessage(
  result: RunResult,
): 'PROGRAM_SUCCEEDED' | 'PROGRAM_SUCCEEDED_RESTART_REQUIRED' | 'PROGRAM_FAILED' {
  switch (result) {
    case 'succeeded':
      return 'PROGRAM_SUCCEEDED';
    case 'reboot-pending':
      return 'PROGRAM_SUCCEEDED_RESTART_REQUIRED';
    case 'failed':
      return 'PROGRAM_FAILED';
  }
}
