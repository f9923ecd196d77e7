import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import {
  parsePrimaryUsers,
  placedSteps,
  PRIMARY_USERS_VARIABLE,
  sequenceTree,
  type AgentTaskSequenceDeployment,
  type StatusMessageBody,
  TaskSequenceRunAttribute,
  type WindowSpec,
} from '@steward/protocol';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { statusMessage } from '../outbox/status-message.js';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';
import { centerError, type CenterEntry, type CenterResponse } from '../software/center-protocol.js';
import { windowCheck } from '../software/deployment-evaluator.js';
import type { Facts } from './conditions.js';
import { resumeSequence, startSequence, type EngineOptions } from './engine.js';
import {
  armBootImage,
  type BootImageRestartOptions,
  disarmBootImage,
  stageBootImage,
} from './boot-image-restart.js';
import { fullOsExecutors } from './full-os-steps.js';
import type { ProgramInstaller } from './software-step.js';
import { runProgram } from './run-program.js';
import { loadEngineState, stateFileOf } from './state.js';
import { statusOfEvent } from './status.js';

/**
 * Deployed task sequences on the agent (issue 11, ADR 0084): the required ones start at their
 * deadline (inside maintenance windows when the deployment honours them), the available ones
 * when someone starts them from the Software Center; the rerun behaviour decides whether a
 * deployment that ran runs again. One sequence runs at a time, in the engine, whose state file
 * makes a restart step resume when the agent starts again after the reboot.
 */

const Result = Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]);

const Record_ = Type.Object({
  lastResult: Type.Optional(Result),
  lastRunAt: Type.Optional(Type.String()),
  /** The deadline whose run was started (or ruled out by the rerun behaviour). */
  consumedDeadline: Type.Optional(Type.String()),
  /** Started from the Software Center and not yet run. */
  requestedBy: Type.Optional(Type.String()),
  /** The "received" message was raised for this deployment, version and deadline. */
  receivedKey: Type.Optional(Type.String()),
  /** The "waiting for a window" message was raised for this deadline. */
  waitingKey: Type.Optional(Type.String()),
});
type DeploymentRecord = Static<typeof Record_>;

const Store = Type.Object({
  format: Type.Literal(1),
  /** The deployment whose sequence the engine holds (running, or restarting). */
  active: Type.Optional(Type.Object({ deploymentId: Type.String(), name: Type.String() })),
  records: Type.Record(Type.String(), Record_),
});
type Store = Static<typeof Store>;

const STORE_FILE = 'deployments.json';
/** A step with no timeout counts this long when a run must fit in a maintenance window. */
const DEFAULT_STEP_SECONDS = 600;

export interface TaskSequenceHost {
  stateDir: string;
  clock: Clock;
  log: Logger;
  /** Queues a status message in the outbox and asks for delivery. */
  report(m: StatusMessageBody): Promise<void>;
  /** The restart command (argv) as the current policy has it. */
  rebootCommand(): readonly string[];
  /** The device's maintenance windows as last assigned. */
  windows(): readonly WindowSpec[];
  /** Something changed: evaluate again soon. */
  changed(): void;
  /** Runs install-software steps' programs (absent: those steps fail, saying so). */
  installer?: ProgramInstaller;
  /** The machine's facts for conditions, read when a run starts or resumes. */
  facts?: () => Promise<Facts>;
  /** Restarts into the boot image (ADR 0105); absent: such a restart step fails, saying so. */
  bootImage?: BootImageRestartOptions;
}

/** Whether the rerun behaviour lets a deployment that ran before run again. */
export function rerunAllowed(dep: AgentTaskSequenceDeployment, rec: DeploymentRecord): boolean {
  if (rec.lastResult === undefined) return true;
  switch (dep.rerun) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'if-failed':
      return rec.lastResult === 'failed';
  }
}

/** How long a run of the sequence may take: the sum of its steps' timeouts. */
export function sequenceDurationMs(dep: AgentTaskSequenceDeployment): number {
  const steps = placedSteps(sequenceTree(dep.sequence.steps));
  return steps.reduce((sum, p) => sum + (p.step.timeoutSeconds ?? DEFAULT_STEP_SECONDS), 0) * 1000;
}

export type TsDecision =
  | { kind: 'not-yet-available' }
  | { kind: 'idle' }
  /** The deadline passed but the rerun behaviour rules this run out: consume it. */
  | { kind: 'skip'; deadline: string }
  | { kind: 'waiting-window'; deadline: string; nextRunAtMs?: number }
  | { kind: 'run'; deadline?: string; user?: string };

/** What one deployment does now (pure: the runner applies it). */
export function decideTaskSequence(
  dep: AgentTaskSequenceDeployment,
  rec: DeploymentRecord,
  nowMs: number,
  windows: readonly WindowSpec[],
): TsDecision {
  if (dep.availableAt !== null && Date.parse(dep.availableAt) > nowMs)
    return { kind: 'not-yet-available' };
  if (rec.requestedBy !== undefined) return { kind: 'run', user: rec.requestedBy };
  if (dep.purpose !== 'required' || dep.deadline === null) return { kind: 'idle' };
  const deadline = dep.deadline;
  if (Date.parse(deadline) > nowMs || rec.consumedDeadline === deadline) return { kind: 'idle' };
  if (!rerunAllowed(dep, rec)) return { kind: 'skip', deadline };
  if (dep.honorWindows) {
    const check = windowCheck(windows, nowMs, sequenceDurationMs(dep));
    if (!check.ok)
      return {
        kind: 'waiting-window',
        deadline,
        ...(check.nextRunAtMs === undefined ? {} : { nextRunAtMs: check.nextRunAtMs }),
      };
  }
  return { kind: 'run', deadline };
}

export class TaskSequenceDeployments {
  private deployments = new Map<string, AgentTaskSequenceDeployment>();
  /** The run in progress in this process, if any. */
  private running: Promise<void> | undefined;
  /** A restart step asked for a reboot in this process: the next agent start resumes it. */
  private awaitingRestart = false;

  private constructor(
    private readonly host: TaskSequenceHost,
    private store: Store,
  ) {}

  private get dir(): string {
    return join(this.host.stateDir, 'task-sequence');
  }

  static async open(host: TaskSequenceHost): Promise<TaskSequenceDeployments> {
    const path = join(host.stateDir, 'task-sequence', STORE_FILE);
    const text = await readFileIfExists(path);
    let store: Store = { format: 1, records: {} };
    if (text !== undefined) {
      try {
        store = parseWith(Store, parseJsonText(text, path, 'STATE_CORRUPT'), path, 'STATE_CORRUPT');
      } catch (err) {
        host.log.error(`${errorMessage(err)}: task-sequence deployment records start over`);
      }
    }
    return new TaskSequenceDeployments(host, store);
  }

  private async save(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(this.dir, STORE_FILE), `${JSON.stringify(this.store)}\n`);
  }

  private record(id: string): DeploymentRecord {
    return this.store.records[id] ?? {};
  }

  private async update(id: string, f: (r: DeploymentRecord) => DeploymentRecord): Promise<void> {
    this.store.records[id] = f(this.record(id));
    await this.save();
  }

  setDeployments(list: readonly AgentTaskSequenceDeployment[]): void {
    this.deployments = new Map(list.map((d) => [d.id, d]));
  }

  has(deploymentId: string): boolean {
    return this.deployments.has(deploymentId);
  }

  /** Resolves when no sequence runs in this process. */
  async idle(): Promise<void> {
    await this.running;
  }

  /**
   * At the agent's start: a sequence left running (the agent stopped mid-step) or restarting
   * (its restart step rebooted the machine) resumes where the engine's state says.
   */
  recover(): void {
    const active = this.store.active;
    if (active === undefined || this.running !== undefined) return;
    // Back from the boot image (ADR 0105): its one-time entry and resume file (a token) go.
    const boot = this.host.bootImage;
    if (boot)
      disarmBootImage(boot.root).catch((err: unknown) => {
        this.host.log.warn(`the boot image entry was not removed: ${errorMessage(err)}`);
      });
    this.launch(active.deploymentId, active.name, (opts) => resumeSequence(opts));
  }

  /** One evaluation: raises what changed, and starts the due run when none is running. */
  async tick(): Promise<void> {
    const now = this.host.clock.now().getTime();
    const due: {
      dep: AgentTaskSequenceDeployment;
      decision: Extract<TsDecision, { kind: 'run' }>;
    }[] = [];
    for (const dep of this.deployments.values()) {
      await this.received(dep);
      const rec = this.record(dep.id);
      let decision: TsDecision;
      try {
        decision = decideTaskSequence(dep, rec, now, this.host.windows());
      } catch (err) {
        this.host.log.warn(`task-sequence deployment ${dep.id}: ${errorMessage(err)}`);
        continue;
      }
      if (decision.kind === 'run') due.push({ dep, decision });
      else if (decision.kind === 'skip')
        await this.update(dep.id, (r) => ({ ...r, consumedDeadline: decision.deadline }));
      else if (decision.kind === 'waiting-window' && rec.waitingKey !== decision.deadline) {
        await this.update(dep.id, (r) => ({ ...r, waitingKey: decision.deadline }));
        await this.host.report(
          statusMessage(
            'TASK_SEQUENCE_WAITING_FOR_WINDOW',
            [
              dep.name,
              decision.nextRunAtMs === undefined
                ? 'none found'
                : new Date(decision.nextRunAtMs).toISOString(),
            ],
            { taskSequenceDeployment: dep.id },
            this.host.clock.now(),
          ),
        );
      }
    }
    if (this.running !== undefined || this.awaitingRestart || this.store.active !== undefined)
      return;
    // Someone at the machine first, then the oldest deadline.
    due.sort(
      (a, b) =>
        Number(b.decision.user !== undefined) - Number(a.decision.user !== undefined) ||
        (a.decision.deadline ?? '').localeCompare(b.decision.deadline ?? ''),
    );
    const next = due[0];
    if (next === undefined) return;
    const { dep, decision } = next;
    // The engine's state of an earlier run of the same version would be resumed: a new run
    // starts from a clean state.
    await rm(stateFileOf(this.dir), { force: true });
    this.store.active = { deploymentId: dep.id, name: dep.sequence.name };
    await this.update(dep.id, (r) => {
      const { requestedBy: _done, ...rest } = r;
      return {
        ...rest,
        ...(decision.deadline === undefined ? {} : { consumedDeadline: decision.deadline }),
      };
    });
    this.launch(dep.id, dep.sequence.name, (opts) => startSequence(dep.sequence, opts));
  }

  private async received(dep: AgentTaskSequenceDeployment): Promise<void> {
    const key = `${String(dep.sequence.version)}:${dep.deadline ?? '-'}`;
    if (this.record(dep.id).receivedKey === key) return;
    await this.update(dep.id, (r) => ({ ...r, receivedKey: key }));
    await this.host.report(
      statusMessage(
        'TASK_SEQUENCE_DEPLOYMENT_RECEIVED',
        [
          dep.name,
          dep.purpose,
          dep.sequence.name,
          String(dep.sequence.version),
          dep.deadline ?? 'none',
        ],
        { taskSequenceDeployment: dep.id, sequenceId: dep.sequence.sequenceId },
        this.host.clock.now(),
      ),
    );
  }

  private launch(
    deploymentId: string,
    name: string,
    go: (opts: EngineOptions) => Promise<unknown>,
  ): void {
    const installProgram = this.host.installer?.forDeployment(deploymentId);
    const opts: EngineOptions = {
      stateDir: this.dir,
      environment: 'full-os',
      executors: fullOsExecutors({
        root: '/',
        ...(installProgram ? { installProgram } : {}),
        stageBootImage: () => this.stageBootImage(deploymentId),
        // Read when the step runs: a run resumed after a restart finds its deployment again.
        upgradePackage: (id) =>
          this.deployments.get(deploymentId)?.upgradePackages?.find((u) => u.id === id),
        report: (m) =>
          this.host.report({
            ...m,
            attributes: { ...m.attributes, [TaskSequenceRunAttribute.deployment]: deploymentId },
          }),
      }),
      now: () => this.host.clock.now(),
      onEvent: (event) =>
        this.host.report(statusOfEvent(event, name, this.host.clock.now(), deploymentId)),
      reboot: (into) =>
        into === 'boot-image' ? this.rebootIntoBootImage(deploymentId) : this.reboot(),
    };
    this.host.log.info(`task-sequence deployment ${deploymentId}: running "${name}"`);
    const facts = this.host.facts;
    this.running = (facts ? facts() : Promise.resolve(undefined))
      .then((f) => go(f === undefined ? opts : { ...opts, facts: f }))
      .then(() => this.settle(deploymentId))
      .catch((err: unknown) => {
        this.host.log.error(`task-sequence deployment ${deploymentId}: ${errorMessage(err)}`);
      })
      .finally(() => {
        this.running = undefined;
        this.host.changed();
      });
  }

  /** After the engine returned: a finished run is recorded; a restarting one waits for the boot. */
  private async settle(deploymentId: string): Promise<void> {
    const state = await loadEngineState(this.dir);
    const outcome = state?.progress.state;
    if (outcome === 'restarting' || outcome === 'running') {
      this.awaitingRestart = true;
      return;
    }
    if (outcome === 'succeeded' && state !== undefined)
      await this.reportPrimaryUsers(deploymentId, state.sequence.name, state.variables);
    const at = this.host.clock.now().toISOString();
    await this.update(deploymentId, (r) => ({
      ...r,
      ...(outcome === undefined ? {} : { lastResult: outcome }),
      lastRunAt: at,
    }));
    delete this.store.active;
    await this.save();
    this.host.log.info(`task-sequence deployment ${deploymentId}: ${outcome ?? 'ended'}`);
  }

  /** User device affinity: a succeeded sequence that set the variable names the primary users. */
  private async reportPrimaryUsers(
    deploymentId: string,
    sequenceName: string,
    variables: Readonly<Record<string, string>>,
  ): Promise<void> {
    const value = variables[PRIMARY_USERS_VARIABLE];
    if (value === undefined) return;
    // A status attribute holds 256 characters: the users that fit, in the variable's order.
    const users: string[] = [];
    for (const u of parsePrimaryUsers(value))
      if ([...users, u].join(',').length <= 256) users.push(u);
    await this.host.report(
      statusMessage(
        'TASK_SEQUENCE_PRIMARY_USERS',
        [sequenceName, users.length === 0 ? 'none' : users.join(', ')],
        { taskSequenceDeployment: deploymentId, primaryUsers: users.join(',') },
        this.host.clock.now(),
      ),
    );
  }

  /** The restart step's download: the deployment's boot image on the local disk. */
  private async stageBootImage(deploymentId: string): Promise<string> {
    const image = this.deployments.get(deploymentId)?.bootImage;
    const o = this.host.bootImage;
    if (!o) throw new Error('this agent cannot restart into a boot image');
    if (!image)
      throw new Error(
        "the deployment names no ready boot image with content (set the sequence's boot image)",
      );
    return stageBootImage(o, image);
  }

  /**
   * The engine saved its state: the run goes on in the boot image (ADR 0105). When the boot
   * entry cannot be written the machine is not restarted: the run stays restarting and the
   * failure is in the log and the status message.
   */
  private async rebootIntoBootImage(deploymentId: string): Promise<void> {
    const image = this.deployments.get(deploymentId)?.bootImage;
    const o = this.host.bootImage;
    if (!o || !image) return;
    try {
      await armBootImage(o, image, deploymentId, stateFileOf(this.dir));
    } catch (err) {
      this.host.log.error(`task sequence cannot restart into the boot image: ${errorMessage(err)}`);
      return;
    }
    await this.host.report(
      statusMessage(
        'TASK_SEQUENCE_BOOT_IMAGE_STAGED',
        [this.store.active?.name ?? deploymentId, `${image.name} ${String(image.version)}`],
        { taskSequenceDeployment: deploymentId, bootImageId: image.id },
        this.host.clock.now(),
      ),
    );
    await this.reboot();
  }

  private async reboot(): Promise<void> {
    const [file, ...args] = this.host.rebootCommand();
    if (file === undefined) return;
    this.host.log.info(`task sequence restarts the computer: ${[file, ...args].join(' ')}`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    const run = await runProgram(file, args, { env, signal: new AbortController().signal });
    if (run.exitCode !== 0)
      this.host.log.error(
        `the restart command failed (exit code ${String(run.exitCode)}): ${run.outputTail}`,
      );
  }

  /** The Software Center's lines for task sequences. */
  centerEntries(): CenterEntry[] {
    const now = this.host.clock.now().getTime();
    const out: CenterEntry[] = [];
    for (const dep of this.deployments.values()) {
      if (dep.availableAt !== null && Date.parse(dep.availableAt) > now) continue;
      const rec = this.record(dep.id);
      const active = this.store.active?.deploymentId === dep.id;
      const decision = decideTaskSequence(dep, rec, now, this.host.windows());
      const state = active
        ? this.awaitingRestart
          ? 'restarting'
          : 'running'
        : decision.kind === 'run'
          ? 'queued'
          : decision.kind === 'waiting-window'
            ? 'waiting-window'
            : (rec.lastResult ?? (dep.purpose === 'available' ? 'available' : 'scheduled'));
      out.push({
        deploymentId: dep.id,
        name: dep.name,
        purpose: dep.purpose,
        kind: 'task-sequence',
        packageName: 'task sequence',
        programName: dep.sequence.name,
        state,
        nextRunAt:
          dep.purpose === 'required' && rec.consumedDeadline !== dep.deadline ? dep.deadline : null,
        lastRunAt: rec.lastRunAt ?? null,
        lastResult: rec.lastResult ?? null,
        postponedUntil: null,
        maxPostponeMinutes: 0,
        postponeRemainingMinutes: 0,
      });
    }
    return out;
  }

  /** "Run" from the Software Center: queued for the next evaluation. */
  async request(deploymentId: string, user: string): Promise<CenterResponse> {
    const dep = this.deployments.get(deploymentId);
    if (dep === undefined)
      return centerError('NOT_FOUND', `no deployment ${deploymentId} for this device`);
    const now = this.host.clock.now().getTime();
    if (dep.availableAt !== null && Date.parse(dep.availableAt) > now)
      return centerError('NOT_AVAILABLE_YET', `"${dep.name}" is available from ${dep.availableAt}`);
    if (this.store.active?.deploymentId === deploymentId)
      return centerError('ALREADY_RUNNING', `"${dep.name}" is running now`);
    const rec = this.record(deploymentId);
    if (dep.purpose === 'required' && !rerunAllowed(dep, rec))
      return centerError(
        'ALREADY_DONE',
        `"${dep.name}" already ran on this device (rerun behaviour: ${dep.rerun})`,
      );
    if (rec.requestedBy !== undefined)
      return { ok: true, deploymentId, message: `"${dep.name}" is already queued` };
    await this.update(deploymentId, (r) => ({ ...r, requestedBy: user }));
    await this.host.report(
      statusMessage(
        'TASK_SEQUENCE_RUN_REQUESTED',
        [dep.name, user],
        { taskSequenceDeployment: dep.id },
        this.host.clock.now(),
      ),
    );
    this.host.changed();
    const busy = this.store.active !== undefined;
    return {
      ok: true,
      deploymentId,
      message: busy
        ? `"${dep.name}" will run after the task sequence running now`
        : `"${dep.name}" will run now`,
    };
  }
}
