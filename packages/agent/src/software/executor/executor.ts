import { mkdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PlatformRequirements } from '@steward/protocol';
import type { Clock } from '../../clock.js';
import { AgentError, errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { findLoggedOnUser, type LoggedOnUser } from './logged-on-user.js';
import { readOutputTail } from './output-tail.js';
import { checkBeforeRun } from './preflight.js';
import { currentBootId, groupAlive, signalGroup } from './process-group.js';
import { checkPlatformRequirements } from './requirements.js';
import type { RunRequest } from '../ports.js';
import {
  listRunIds,
  readExit,
  readOutcome,
  readPidFile,
  readRecord,
  runPaths,
  writeOutcome,
  writeRecord,
  type RunFailure,
  type RunOutcome,
  type RunPaths,
  type RunRecord,
} from './run-record.js';
import { classify, INTERRUPTED, placeholderRecord } from './run-outcome.js';
import { runEnvironment, spawnWrapper } from './run-wrapper.js';

export type { RunOutcome } from './run-record.js';

class ExecutorClosedError extends AgentError {
  constructor() {
    super('EXECUTOR_CLOSED', 'the executor was closed; the run is left to the next agent process');
  }
}

export type StopReasonCode = 'STOPPED' | 'PROGRAM_DISABLED';

export interface ExecutorOptions {
  stateDir: string;
  clock: Clock;
  log: Logger;
  /** Length of a "minute" of maxRunMinutes; default STEWARD_AGENT_MINUTE_MS or 60000 (tests). */
  minuteMs?: number;
  /** SIGTERM to SIGKILL delay; default 10 s. */
  killGraceMs?: number;
  /** How often a run's exit file and process group are checked; default 500 ms. */
  pollMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Who "run as the logged-on user" means; default: logind, then `who`. */
  findUser?: () => Promise<LoggedOnUser | undefined>;
}

interface RunState {
  record: RunRecord;
  finished: boolean;
  stopRequest: RunFailure | undefined;
  /** Cuts the current poll wait short (child exited, stop requested). */
  wake: () => void;
}

interface ActiveRun extends RunState {
  outcome: Promise<RunOutcome>;
}

/**
 * Runs programs as detached process groups whose outcome survives the agent (ADR 0007): the run
 * record is written before the spawn, the wrapper writes the exit status to a file, and a new
 * Executor on the same state directory re-attaches to live runs (`recover`), still enforcing the
 * maximum run time from the recorded start. An outcome stays on disk until `acknowledge`.
 */
export class Executor {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly minuteMs: number;
  private readonly killGraceMs: number;
  private readonly pollMs: number;
  private readonly findUser: () => Promise<LoggedOnUser | undefined>;
  private closed = false;
  private readonly starting = new Set<string>();

  constructor(private readonly opts: ExecutorOptions) {
    const env = opts.env ?? process.env;
    const envMinute = Number(env['STEWARD_AGENT_MINUTE_MS'] ?? '');
    this.minuteMs = opts.minuteMs ?? (envMinute > 0 ? envMinute : 60_000);
    this.killGraceMs = opts.killGraceMs ?? 10_000;
    this.pollMs = opts.pollMs ?? 500;
    this.findUser = opts.findUser ?? findLoggedOnUser;
  }

  checkRequirements(
    r: PlatformRequirements,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    return checkPlatformRequirements(r, this.opts.stateDir);
  }

  /**
   * Starts a run. Program-level problems (no logged-on user, missing working directory, spawn
   * failure) do not throw: they become a failed outcome, available from `wait`.
   */
  async start(req: RunRequest): Promise<void> {
    if (this.closed) throw new ExecutorClosedError();
    const paths = runPaths(this.opts.stateDir, req.runId);
    if (this.runs.has(req.runId) || this.starting.has(req.runId))
      throw new AgentError('RUN_EXISTS', `run ${req.runId} already exists`);
    this.starting.add(req.runId);
    try {
      const exists = await stat(paths.dir).then(
        () => true,
        () => false,
      );
      if (exists) throw new AgentError('RUN_EXISTS', `run ${req.runId} already exists`);
      await this.launch(req, paths);
    } finally {
      this.starting.delete(req.runId);
    }
  }

  private async launch(req: RunRequest, paths: RunPaths): Promise<void> {
    const { program } = req;
    const record: RunRecord = {
      version: 1,
      runId: req.runId,
      deploymentId: req.deploymentId,
      revision: req.revision,
      programId: program.id,
      programName: program.name,
      packageDir: req.packageDir,
      workDir: resolve(req.packageDir, program.workingDirectory || '.'),
      commandLine: program.commandLine,
      runAs: program.runAs,
      maxRunMinutes: program.maxRunMinutes,
      successExitCodes: program.successExitCodes,
      rebootExitCodes: program.rebootExitCodes,
      startedAt: this.opts.clock.now().toISOString(),
    };
    const bootId = await currentBootId();
    if (bootId !== undefined) record.bootId = bootId;
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const preflight = await checkBeforeRun(record, this.findUser);
    if (preflight.user !== undefined) record.user = preflight.user.name;
    await writeRecord(paths, record);
    if (preflight.failure !== undefined) {
      this.track(record, (run) => this.finish(run, null, preflight.failure));
      return;
    }
    const child = spawnWrapper({
      paths,
      workDir: record.workDir,
      user: record.user,
      commandLine: record.commandLine,
      env: runEnvironment({
        home: preflight.user?.home ?? (this.opts.env ?? process.env)['HOME'] ?? '/root',
        deploymentId: req.deploymentId,
        packageDir: req.packageDir,
        lang: (this.opts.env ?? process.env)['LANG'],
      }),
    });
    const pid = child.pid;
    if (pid === undefined) {
      const failure = await new Promise<RunFailure>((done) =>
        child.once('error', (err) => done({ reasonCode: 'SPAWN_FAILED', reason: err.message })),
      );
      this.track(record, (run) => this.finish(run, null, failure));
      return;
    }
    child.on('error', (err) => this.opts.log.warn(`run ${req.runId}: ${err.message}`));
    record.pgid = pid;
    await writeRecord(paths, record);
    const run = this.track(record, (r) => this.monitor(r));
    child.once('exit', () => run.wake());
    this.opts.log.info(`run ${req.runId} started: ${program.name} (process group ${pid})`);
  }

  /** The outcome of a run started or recovered by this Executor, or finished on disk. */
  async wait(runId: string): Promise<RunOutcome> {
    const run = this.runs.get(runId);
    if (run !== undefined) return run.outcome;
    const outcome = await readOutcome(runPaths(this.opts.stateDir, runId));
    if (outcome !== undefined) return outcome;
    throw new AgentError('RUN_UNKNOWN', `no run ${runId}`);
  }

  /**
   * Kills a run's process group (SIGTERM, SIGKILL after the grace time); its outcome is failed
   * with `reasonCode` (default: `reason` itself when it is PROGRAM_DISABLED, else STOPPED) and
   * `reason`. Resolves once the group is gone. A finished run is left as it is.
   */
  async stop(runId: string, reason: string, reasonCode?: StopReasonCode): Promise<void> {
    const run = this.runs.get(runId);
    if (run === undefined || run.finished) return;
    const disabled = reason === 'PROGRAM_DISABLED';
    run.stopRequest ??= {
      reasonCode: reasonCode ?? (disabled ? 'PROGRAM_DISABLED' : 'STOPPED'),
      reason: disabled ? 'the program was disabled by an administrator' : reason,
    };
    run.wake();
    await run.outcome.catch(() => undefined);
  }

  running(): { runId: string; deploymentId: string; programId: string }[] {
    return [...this.runs.values()]
      .filter((r) => !r.finished)
      .map(({ record }) => ({
        runId: record.runId,
        deploymentId: record.deploymentId,
        programId: record.programId,
      }));
  }

  /**
   * Finds every run on disk after a restart: finished ones (outcome or exit file) are ready for
   * `wait`, live ones are re-attached, vanished ones fail with INTERRUPTED. Returns their ids.
   */
  async recover(): Promise<string[]> {
    const ids: string[] = [];
    for (const runId of await listRunIds(this.opts.stateDir)) {
      if (this.runs.has(runId)) {
        ids.push(runId);
        continue;
      }
      const paths = runPaths(this.opts.stateDir, runId);
      const outcome = await readOutcome(paths);
      const record = await readRecord(paths);
      if (outcome !== undefined) {
        this.runs.set(runId, {
          record: record ?? placeholderRecord(outcome),
          outcome: Promise.resolve(outcome),
          finished: true,
          stopRequest: undefined,
          wake: () => undefined,
        });
      } else if (record !== undefined) {
        const run = this.track(record, (r) => this.monitor(r));
        // Finished while no agent watched: settle it now so `running()` is right on return.
        if ((await readExit(paths)) !== undefined) await run.outcome.catch(() => undefined);
      } else {
        this.opts.log.warn(`run ${runId}: no readable run record; left on disk for inspection`);
        continue;
      }
      ids.push(runId);
    }
    return ids;
  }

  /** The outcome has been reported: forget the run (its directory, output included). */
  async acknowledge(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run !== undefined && !run.finished)
      throw new AgentError('RUN_RUNNING', `run ${runId} is still running`);
    await rm(runPaths(this.opts.stateDir, runId).dir, { recursive: true, force: true });
    this.runs.delete(runId);
  }

  /**
   * Stops watching runs without touching them (agent shutdown): processes keep running, their
   * exit files still get written, and the next Executor's `recover` picks them up. Pending
   * `wait` promises reject with EXECUTOR_CLOSED.
   */
  close(): void {
    this.closed = true;
    for (const run of this.runs.values()) run.wake();
  }

  private track(record: RunRecord, body: (run: RunState) => Promise<RunOutcome>): ActiveRun {
    const state: RunState = {
      record,
      finished: false,
      stopRequest: undefined,
      wake: () => undefined,
    };
    const outcome = body(state).catch(async (err: unknown) => {
      if (err instanceof ExecutorClosedError) throw err;
      this.opts.log.error(`run ${record.runId}: ${errorMessage(err)}`);
      return this.finish(state, null, { reasonCode: 'EXECUTOR_ERROR', reason: errorMessage(err) });
    });
    // Nobody may be waiting when the executor closes: that rejection is expected, not unhandled.
    outcome.catch(() => undefined);
    const run: ActiveRun = Object.assign(state, { outcome });
    this.runs.set(record.runId, run);
    return run;
  }

  /** Polls the run until it ends: exit file, max run time, stop request, or vanished group. */
  private async monitor(run: RunState): Promise<RunOutcome> {
    const { record } = run;
    const paths = runPaths(this.opts.stateDir, record.runId);
    const deadline = Date.parse(record.startedAt) + record.maxRunMinutes * this.minuteMs;
    for (;;) {
      if (this.closed) throw new ExecutorClosedError();
      const exit = await readExit(paths);
      if (exit !== undefined) return this.finish(run, exit.code, record.stop, exit.mtimeMs);
      if (record.stop === undefined) {
        const now = this.opts.clock.now().getTime();
        const stop =
          run.stopRequest ??
          (now >= deadline
            ? {
                reasonCode: 'TIMED_OUT',
                reason: `ran longer than ${record.maxRunMinutes} minute(s)`,
              }
            : undefined);
        if (stop !== undefined) {
          record.stop = stop;
          await writeRecord(paths, record);
        }
      }
      const pgid = record.pgid ?? (await readPidFile(paths));
      if (record.stop !== undefined && pgid !== undefined) await this.terminate(run, pgid);
      if (pgid === undefined || !(await this.alive(record, pgid))) {
        const late = await readExit(paths);
        if (late !== undefined) return this.finish(run, late.code, record.stop, late.mtimeMs);
        return this.finish(run, null, record.stop ?? INTERRUPTED);
      }
      await this.pause(run, this.pollMs);
    }
  }

  /** SIGTERM to the group, SIGKILL when it is still there after the grace time. */
  private async terminate(run: RunState, pgid: number): Promise<void> {
    const { record } = run;
    if (!(await this.alive(record, pgid))) return;
    this.opts.log.warn(`run ${record.runId}: stopping (${record.stop?.reasonCode ?? ''})`);
    signalGroup(pgid, 'SIGTERM');
    const killAt = Date.now() + this.killGraceMs;
    while (Date.now() < killAt && (await this.alive(record, pgid)))
      await this.pause(run, Math.min(100, this.pollMs));
    if (await this.alive(record, pgid)) signalGroup(pgid, 'SIGKILL');
    // A process stuck in the kernel (D state) may outlive SIGKILL for a while; do not wait forever.
    const giveUpAt = Date.now() + 30_000;
    while (Date.now() < giveUpAt && (await this.alive(record, pgid)))
      await this.pause(run, Math.min(100, this.pollMs));
  }

  private async alive(record: RunRecord, pgid: number): Promise<boolean> {
    // After a reboot the number may belong to an unrelated group: never signal it.
    if (record.bootId !== undefined && record.bootId !== (await currentBootId())) return false;
    return groupAlive(pgid);
  }

  private pause(run: RunState, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        run.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      run.wake = done;
    });
  }

  private async finish(
    run: RunState,
    exitCode: number | null,
    failure: RunFailure | undefined,
    exitMtimeMs?: number,
  ): Promise<RunOutcome> {
    const { record } = run;
    const paths = runPaths(this.opts.stateDir, record.runId);
    const now = this.opts.clock.now().getTime();
    // The exit file's mtime is real time; shift it into the agent clock's frame (test clocks).
    const finished = exitMtimeMs === undefined ? now : exitMtimeMs + (now - Date.now());
    const outcome: RunOutcome = {
      runId: record.runId,
      deploymentId: record.deploymentId,
      revision: record.revision,
      exitCode,
      ...classify(record, exitCode, failure),
      outputTail: await readOutputTail(paths.output),
      startedAt: record.startedAt,
      finishedAt: new Date(Math.max(finished, Date.parse(record.startedAt))).toISOString(),
    };
    if (this.closed) throw new ExecutorClosedError();
    await writeOutcome(paths, outcome);
    run.finished = true;
    this.opts.log.info(
      `run ${record.runId} finished: ${outcome.result}${outcome.reasonCode ? ` (${outcome.reasonCode})` : ''}`,
    );
    return outcome;
  }
}
