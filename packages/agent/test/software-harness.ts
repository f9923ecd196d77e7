/**
 * A SoftwareService on stubs for unit tests: signed assignments on disk (real Ed25519), a fake
 * clock, a content stub and an executor stub implementing the ports, an in-memory outbox.
 * Decision logic and reporting run for real; nothing is downloaded or executed.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalJson,
  type AgentDeployment,
  type AgentProgram,
  type AssignmentsDocument,
  type DeploymentStateReport,
  type PlatformRequirements,
  type StatusMessageBody,
} from '@steward/protocol';
import { silentLogger } from '../src/logger.js';
import { SoftwareService } from '../src/software/deployment-service.js';
import type {
  ContentPort,
  ContentProgress,
  ExecutorPort,
  PreparedContent,
  RunOutcome,
  RunRequest,
} from '../src/software/ports.js';

export class FakeClock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

export class MemorySink {
  readonly states: DeploymentStateReport[] = [];
  readonly messages: StatusMessageBody[] = [];
  /** Every item in order, for "the outcome was in the outbox before X" checks. */
  readonly log: string[] = [];
  async enqueueStatus(body: StatusMessageBody): Promise<number> {
    this.messages.push(body);
    this.log.push(`status:${body.messageId}`);
    return this.log.length;
  }
  async enqueueDeploymentState(body: DeploymentStateReport): Promise<number> {
    this.states.push(body);
    this.log.push(`state:${body.state}`);
    return this.log.length;
  }
  ids(): number[] {
    return this.messages.map((m) => m.messageId);
  }
  stateNames(): string[] {
    return this.states.map((s) => s.state);
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class FakeContent implements ContentPort {
  readonly prepared: string[] = [];
  released = 0;
  /** Throw this from the next prepare calls. */
  failWith: Error | undefined;
  /** Progress reported during prepare. */
  progress: ContentProgress[] = [];
  async prepare(req: {
    program: AgentProgram;
    deployment: AgentDeployment;
    onProgress?: (p: ContentProgress) => void;
  }): Promise<PreparedContent> {
    this.prepared.push(req.program.id);
    if (this.failWith !== undefined) throw this.failWith;
    for (const p of this.progress) req.onProgress?.(p);
    return {
      dir: `/packages/${req.program.packageVersionId}`,
      release: async () => {
        this.released++;
      },
    };
  }
}

type Result = Pick<RunOutcome, 'result' | 'exitCode'> & Partial<RunOutcome>;

export class FakeExecutor implements ExecutorPort {
  readonly started: RunRequest[] = [];
  readonly stopped: { runId: string; reason: string }[] = [];
  /** runId -> how many reports the sink held when the run was acknowledged. */
  readonly acknowledged = new Map<string, number>();
  requirements: { ok: true } | { ok: false; reason: string } = { ok: true };
  /** Outcome per program id; runs of programs not listed wait until `finish` or `stop`. */
  outcomes = new Map<string, Result>();
  recovered: { runId: string; outcome: RunOutcome }[] = [];
  private readonly pending = new Map<string, { req: RunRequest; done: Deferred<RunOutcome> }>();

  constructor(private readonly sink: MemorySink) {}

  async checkRequirements(_r: PlatformRequirements) {
    return this.requirements;
  }
  private readonly startWaiters: (() => void)[] = [];
  /** Resolves once `n` runs have started. */
  whenStarted(n: number): Promise<void> {
    if (this.started.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.started.length >= n) resolve();
        else this.startWaiters.push(check);
      };
      this.startWaiters.push(check);
    });
  }
  async start(req: RunRequest): Promise<void> {
    this.started.push(req);
    for (const w of this.startWaiters.splice(0)) w();
    const done = deferred<RunOutcome>();
    this.pending.set(req.runId, { req, done });
    const planned = this.outcomes.get(req.program.id);
    if (planned !== undefined) this.finish(req.runId, planned);
  }
  finish(runId: string, r: Result): void {
    const run = this.pending.get(runId);
    if (run === undefined) return;
    this.pending.delete(runId);
    run.done.resolve({
      runId,
      deploymentId: run.req.deploymentId,
      revision: run.req.revision,
      outputTail: 'output\n',
      startedAt: '2026-06-10T09:00:00.000Z',
      finishedAt: '2026-06-10T09:01:00.000Z',
      ...r,
    });
    this.waits.set(runId, run.done.promise);
  }
  private readonly waits = new Map<string, Promise<RunOutcome>>();
  wait(runId: string): Promise<RunOutcome> {
    const known = this.waits.get(runId);
    if (known !== undefined) return known;
    const run = this.pending.get(runId);
    if (run === undefined) return Promise.reject(new Error(`unknown run ${runId}`));
    return run.done.promise;
  }
  async stop(runId: string, reason: string): Promise<void> {
    this.stopped.push({ runId, reason });
    this.finish(runId, { result: 'failed', exitCode: null, reasonCode: reason, reason });
  }
  running() {
    return [...this.pending.values()].map(({ req }) => ({
      runId: req.runId,
      deploymentId: req.deploymentId,
      programId: req.program.id,
    }));
  }
  async recover(): Promise<string[]> {
    for (const r of this.recovered) this.waits.set(r.runId, Promise.resolve(r.outcome));
    return this.recovered.map((r) => r.runId);
  }
  async acknowledge(runId: string): Promise<void> {
    this.acknowledged.set(runId, this.sink.log.length);
  }
}

export class FakeNotifier {
  readonly shown: { title: string; body: string }[] = [];
  async notify(title: string, body: string): Promise<void> {
    this.shown.push({ title, body });
  }
}

export interface Harness {
  stateDir: string;
  clock: FakeClock;
  sink: MemorySink;
  content: FakeContent;
  executor: FakeExecutor;
  notifier: FakeNotifier;
  service: SoftwareService;
  ticks: number;
  /** Serves a new assignments document on the next refresh. */
  serve(doc: Partial<AssignmentsDocument>): void;
  /** Opens the service again on the same state (an agent restart). */
  restart(): Promise<SoftwareService>;
}

export async function harness(
  doc: { deployments: AgentDeployment[]; programs: AgentProgram[] } & Partial<AssignmentsDocument>,
  nowIso: string,
  setup: (h: Pick<Harness, 'stateDir' | 'executor' | 'content'>) => void = () => undefined,
): Promise<Harness> {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-sw-'));
  const keys = generateKeyPairSync('ed25519');
  const key = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signed = (d: AssignmentsDocument) => {
    const payload = canonicalJson(d);
    return {
      payload,
      signature: sign(null, Buffer.from(payload), keys.privateKey).toString('base64'),
    };
  };
  let current: AssignmentsDocument = {
    deviceId: 'dev-1',
    issuedAt: nowIso,
    maintenanceWindows: [],
    ...doc,
  };
  writeFileSync(join(stateDir, 'assignments.json'), JSON.stringify(signed(current)));
  const sink = new MemorySink();
  const clock = new FakeClock(Date.parse(nowIso));
  const content = new FakeContent();
  const executor = new FakeExecutor(sink);
  const notifier = new FakeNotifier();
  setup({ stateDir, executor, content });
  let service: SoftwareService | undefined;
  const h: Harness = {
    stateDir,
    clock,
    sink,
    content,
    executor,
    notifier,
    ticks: 0,
    get service(): SoftwareService {
      if (service === undefined) throw new Error('not opened');
      return service;
    },
    serve(changes) {
      current = { ...current, ...changes };
    },
    async restart() {
      service = await SoftwareService.open({
        stateDir,
        device: { deviceId: 'dev-1', policySigningKey: key },
        http: {
          callUnchecked: async () => signed(current),
        },
        sink,
        content,
        executor,
        notifier,
        clock,
        log: silentLogger,
        requestTick: () => {
          h.ticks++;
        },
        requestFlush: () => undefined,
      });
      return service;
    },
  };
  await h.restart();
  return h;
}
