import { randomUUID } from 'node:crypto';
import type { AgentDeployment, AgentProgram } from '@steward/protocol';
import { AgentError, errorMessage } from '../errors.js';
import type { RunRecord } from './deployment-state.js';
import {
  contentUnavailable,
  type ContentPort,
  type ContentProgress,
  type PreparedContent,
  type RunOutcome,
} from './ports.js';
import {
  failedOutcome,
  OutcomeRecorder,
  PROGRAM_DISABLED,
  type OutcomeRecorderOptions,
  startedRecord,
} from './run-outcome-recorder.js';

/** Content that failed for an unknown reason is asked for again after this long. */
const CONTENT_RETRY_MS = 10 * 60_000;

/** The recorder's options (the runner hands them on to it) plus where content comes from. */
export interface RunnerOptions extends OutcomeRecorderOptions {
  content: ContentPort;
  /** A run ended or an outcome was reported: evaluate again and deliver the outbox. */
  onSettled(): void;
}

interface ActivePipeline {
  deploymentId: string;
  programId: string;
  phase: 'content' | 'running';
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs deployments in the background, one at a time (programs of different deployments never
 * run together), so a long download or run never blocks the agent's job queue: policy,
 * heartbeats and the "disable program" nudge keep working meanwhile.
 *
 * Exactly-once outcome (ADR 0007): the run record is written before the spawn; the outcome goes
 * to the outbox, then the record moves to `reportedRuns`, then the executor forgets the run. A
 * crash anywhere repeats at most the last step, with the same runId the site counts once.
 */
export class DeploymentRunner {
  private active: ActivePipeline | undefined;
  private readonly watched = new Map<string, Promise<void>>();
  private preDownloading: Promise<void> | undefined;

  private readonly recorder: OutcomeRecorder;

  constructor(private readonly o: RunnerOptions) {
    this.recorder = new OutcomeRecorder(o);
  }

  /** Fails a due deployment that cannot run (dependency problems) and consumes its trigger. */
  failWithoutRun(
    dep: AgentDeployment,
    program: AgentProgram | undefined,
    reasonCode: string,
    reason: string,
  ): Promise<void> {
    return this.recorder.failWithoutRun(dep, program, reasonCode, reason);
  }

  /** A run (or its content download) is in progress; nothing else starts meanwhile. */
  get busy(): boolean {
    return this.active !== undefined || this.watched.size > 0;
  }

  isActive(deploymentId: string): boolean {
    if (this.active?.deploymentId === deploymentId) return true;
    return this.o.executor.running().some((r) => r.deploymentId === deploymentId);
  }

  /** Starts the chain in the background (the caller checked `busy`). */
  launch(dep: AgentDeployment, chain: readonly AgentProgram[]): void {
    const abort = new AbortController();
    const last = chain.at(-1);
    if (last === undefined) return;
    const active: ActivePipeline = {
      deploymentId: dep.id,
      programId: last.id,
      phase: 'content',
      abort,
      done: Promise.resolve(),
    };
    active.done = this.runChain(dep, chain, active)
      .catch((err: unknown) => this.logFailure(`deployment ${dep.id}`, err))
      .finally(() => {
        if (this.active === active) this.active = undefined;
        this.o.onSettled();
      });
    this.active = active;
  }

  /** "Make available before the deadline": fetch content now, one package at a time. */
  preDownload(dep: AgentDeployment, program: AgentProgram): void {
    if (this.preDownloading !== undefined) return;
    this.preDownloading = (async () => {
      try {
        const prepared = await this.o.content.prepare({ program, deployment: dep });
        await prepared.release();
        await this.o.store.updateDeployment(dep.id, (r) => ({
          ...r,
          preDownloaded: program.packageVersionId,
        }));
        this.o.log.info(`deployment ${dep.id}: content of "${program.packageName}" pre-downloaded`);
      } catch (err) {
        const cu = contentUnavailable(err);
        const retryAtMs = this.nowMs() + (cu?.retryAfterMs ?? CONTENT_RETRY_MS);
        this.o.log.warn(`deployment ${dep.id}: pre-download failed: ${errorMessage(err)}`);
        await this.o.store.updateDeployment(dep.id, (r) => ({ ...r, retryAtMs }));
      }
    })()
      .catch((err: unknown) => this.o.log.error(`pre-download: ${errorMessage(err)}`))
      .finally(() => {
        this.preDownloading = undefined;
      });
  }

  /**
   * At start: outcomes of runs a previous agent process left (finished meanwhile, or still
   * running and re-attached by the executor), and run records that never reached the executor.
   */
  async recover(): Promise<void> {
    const recovered = new Set(await this.o.executor.recover());
    for (const runId of recovered) this.watch(runId);
    const { runs, reportedRuns } = this.o.store.current;
    for (const run of Object.values(runs)) {
      if (recovered.has(run.runId) || reportedRuns.includes(run.runId)) continue;
      const now = this.nowIso();
      await this.recorder.finish({
        runId: run.runId,
        deploymentId: run.deploymentId,
        revision: run.revision,
        exitCode: null,
        result: 'failed',
        reasonCode: 'INTERRUPTED',
        reason: 'the agent stopped before the program started',
        outputTail: '',
        startedAt: now,
        finishedAt: now,
      });
    }
  }

  /**
   * "Disable this program" reaches running agents at once: a running process of a disabled
   * program is stopped (reported failed PROGRAM_DISABLED), a download for it is abandoned.
   */
  async stopDisabled(programs: ReadonlyMap<string, AgentProgram>): Promise<void> {
    for (const run of this.o.executor.running()) {
      if (programs.get(run.programId)?.disabled !== true) continue;
      const record = this.o.store.current.runs[run.runId];
      if (record?.stopReason !== undefined) continue;
      await this.o.store.update((d) => {
        const existing: RunRecord = d.runs[run.runId] ?? {
          runId: run.runId,
          deploymentId: run.deploymentId,
          revision: 0,
          programId: run.programId,
          role: 'main',
        };
        d.runs[run.runId] = { ...existing, stopReason: PROGRAM_DISABLED };
      });
      this.o.log.warn(`stopping run ${run.runId}: program ${run.programId} was disabled`);
      await this.o.executor.stop(run.runId, PROGRAM_DISABLED);
    }
    const active = this.active;
    if (active?.phase === 'content' && programs.get(active.programId)?.disabled === true)
      active.abort.abort();
  }

  /** Resolves when nothing is running or downloading (for `run --once`). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [this.active?.done, this.preDownloading, ...this.watched.values()].filter(
        (p): p is Promise<void> => p !== undefined,
      );
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Agent stopping: abandon downloads. Started programs keep running; the next start reports them. */
  abortDownloads(): void {
    if (this.active?.phase === 'content') this.active.abort.abort();
  }

  private async runChain(
    dep: AgentDeployment,
    chain: readonly AgentProgram[],
    active: ActivePipeline,
  ): Promise<void> {
    // Requirements first: nothing is downloaded for a machine that cannot run it.
    for (const program of chain) {
      const check = await this.o.executor.checkRequirements(program.requirements);
      if (!check.ok) {
        await this.failWithoutRun(dep, program, 'REQUIREMENTS_NOT_MET', check.reason);
        return;
      }
    }
    for (const program of chain) {
      const role = program === chain.at(-1) ? 'main' : 'dependency';
      active.programId = program.id;
      active.phase = 'content';
      const prepared = await this.prepare(dep, program, active.abort.signal);
      if (prepared === undefined) return;
      if (active.abort.signal.aborted) {
        // Disabled (or the agent stopping) while the content was being made ready.
        await prepared.release().catch((err: unknown) => this.o.log.warn(errorMessage(err)));
        return;
      }
      active.phase = 'running';
      // Released only once the run is over: when the agent stops mid-run (the executor is
      // closed) the program goes on using the package directory.
      const outcome = await this.execute(dep, program, role, prepared);
      await prepared.release().catch((err: unknown) => this.o.log.warn(errorMessage(err)));
      if (outcome.result === 'failed') return;
    }
  }

  private async prepare(
    dep: AgentDeployment,
    program: AgentProgram,
    signal: AbortSignal,
  ): Promise<PreparedContent | undefined> {
    const onProgress = (p: ContentProgress): void => {
      if (!this.o.reporter.progressDue(dep.id, p)) return;
      void this.o.reporter.state({
        deploymentId: dep.id,
        revision: dep.revision,
        state: 'waiting-content',
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
      });
    };
    try {
      return await this.o.content.prepare({ program, deployment: dep, signal, onProgress });
    } catch (err) {
      if (signal.aborted) return undefined;
      const cu = contentUnavailable(err);
      const retryAtMs = this.nowMs() + (cu?.retryAfterMs ?? CONTENT_RETRY_MS);
      const reasonCode = cu?.code ?? 'CONTENT_ERROR';
      this.o.log.warn(`deployment ${dep.id}: content not available: ${errorMessage(err)}`);
      await this.o.reporter.state({
        deploymentId: dep.id,
        revision: dep.revision,
        state: 'waiting-content',
        reasonCode,
        reason: errorMessage(err).slice(0, 2000),
        nextRunAt: new Date(retryAtMs).toISOString(),
      });
      await this.o.store.updateDeployment(dep.id, (r) => ({
        ...r,
        retryAtMs,
        lastState: 'waiting-content',
        reportedKey: undefined,
      }));
      return undefined;
    } finally {
      this.o.reporter.forgetProgress(dep.id);
    }
  }

  private async execute(
    dep: AgentDeployment,
    program: AgentProgram,
    role: RunRecord['role'],
    prepared: PreparedContent,
  ): Promise<RunOutcome> {
    const runId = randomUUID();
    const startedAt = this.nowIso();
    await this.o.store.update((d) => {
      d.runs[runId] = {
        runId,
        deploymentId: dep.id,
        revision: dep.revision,
        programId: program.id,
        role,
      };
      if (role === 'main')
        d.deployments[dep.id] = startedRecord(
          d.deployments[dep.id],
          dep.revision,
          startedAt,
          this.nowMs(),
        );
    });
    const names = this.recorder.names(dep.id, program.id);
    try {
      await this.o.executor.start({
        runId,
        deploymentId: dep.id,
        revision: dep.revision,
        program,
        packageDir: prepared.dir,
      });
    } catch (err) {
      const outcome = failedOutcome(runId, dep, 'START_FAILED', errorMessage(err), startedAt);
      await this.recorder.finish(outcome);
      return outcome;
    }
    // 10005 is queued before the running state: once the site sees a run as running, its
    // "started" message is already in the outbox on disk, and an agent killed at that moment
    // still reports it when it comes back.
    await this.o.reporter.message('PROGRAM_STARTED', names);
    if (role === 'main')
      await this.o.reporter.state({
        deploymentId: dep.id,
        revision: dep.revision,
        state: 'running',
        runId,
        lastRunAt: startedAt,
      });
    const outcome = await this.o.executor.wait(runId);
    return this.recorder.finish(outcome);
  }

  /** Follows a run recovered from a previous agent process to its outcome. */
  private watch(runId: string): void {
    const p = this.o.executor
      .wait(runId)
      .then((outcome) => this.recorder.finish(outcome))
      .then(() => undefined)
      .catch((err: unknown) => this.logFailure(`recovered run ${runId}`, err))
      .finally(() => {
        this.watched.delete(runId);
        this.o.onSettled();
      });
    this.watched.set(runId, p);
  }

  private logFailure(what: string, err: unknown): void {
    // The agent is stopping: the run goes on and the next agent process reports it.
    if (err instanceof AgentError && err.code === 'EXECUTOR_CLOSED')
      this.o.log.info(`${what}: left to the next agent start`);
    else this.o.log.error(`${what}: ${errorMessage(err)}`);
  }

  private nowMs(): number {
    return this.o.clock.now().getTime();
  }

  private nowIso(): string {
    return this.o.clock.now().toISOString();
  }
}
