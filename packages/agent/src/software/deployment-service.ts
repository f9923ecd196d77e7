import {
  canonicalJson,
  type AgentDeployment,
  type AgentProgram,
  type AgentUpdateInstall,
  type AssignmentsDocument,
  type WindowSpec,
} from '@steward/protocol';
import type { HttpsClient } from '../channel/https-client.js';
import type { Clock } from '../clock.js';
import { DeviceRejectedError, errorMessage, HttpStatusError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Mutex } from '../mutex.js';
import {
  fetchSignedAssignments,
  loadAssignments,
  saveAssignments,
  verifySignedAssignments,
} from './assignments.js';
import type { CenterRequest, CenterResponse } from './center-protocol.js';
import { CenterServer } from './center-server.js';
import {
  decide,
  nextRunAt,
  wantsPreDownload,
  type Decision,
  type EvalContext,
} from './deployment-evaluator.js';
import {
  DeploymentReporter,
  runNames,
  type ReportSink,
  type RunNames,
  type StateFields,
} from './deployment-reporter.js';
import { DeploymentRunner } from './deployment-runner.js';
import { DeploymentStateStore, type DeploymentRecord } from './deployment-state.js';
import { deadlineNotice } from './notify.js';
import { updateWaitMessage } from './update-wait-messages.js';
import type { ContentPort, ExecutorPort, Notifier } from './ports.js';
import { SoftwareCenter, type RestartPort } from './software-center.js';
import { withDeadlineDelay } from '../updates/deploy/policy.js';
import type { TaskSequenceDeployments } from '../task-sequence/deployments.js';

export interface SoftwareServiceOptions {
  stateDir: string;
  device: { deviceId: string; policySigningKey: string };
  http: Pick<HttpsClient, 'callUnchecked'>;
  sink: ReportSink;
  content: ContentPort;
  executor: ExecutorPort;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** Ask the agent's job queue for an evaluation soon (never runs it inline). */
  requestTick: () => void;
  /** Ask the agent to deliver the outbox. */
  requestFlush: () => void;
  /** Pending update restarts (ADR 0071): ticked after each evaluation, offered in the center. */
  restarts?: RestartPort;
  /** Deployed task sequences (ADR 0084): evaluated with the software, offered in the center. */
  taskSequences?: TaskSequenceDeployments;
}

/** How often the agent evaluates deployments by itself (real time; nudges come on top). */
export const DEPLOYMENT_TICK_MS = 30_000;
const NOTIFY_AHEAD_MS = 24 * 3_600_000;
const NOTIFIED_KEPT = 20;

/**
 * The agent side of software distribution: keeps the signed assignments (on disk, so schedules
 * and windows hold offline), decides on every tick what each deployment does, reports states,
 * hands due runs to the runner and serves the Software Center. Ticks and Software Center
 * requests are serialised by one lock; runs proceed in the background.
 */
export class SoftwareService {
  private document: AssignmentsDocument | undefined;
  private deployments = new Map<string, AgentDeployment>();
  private programs = new Map<string, AgentProgram>();
  private readonly lock = new Mutex();
  private readonly reporter: DeploymentReporter;
  private readonly runner: DeploymentRunner;
  private readonly center: SoftwareCenter;
  private centerServer: CenterServer | undefined;
  private unsupportedLogged = false;

  private constructor(
    private readonly o: SoftwareServiceOptions,
    private readonly store: DeploymentStateStore,
    document: AssignmentsDocument | undefined,
  ) {
    this.reporter = new DeploymentReporter(o.sink, o.clock, o.log, o.requestFlush);
    this.runner = new DeploymentRunner({
      content: o.content,
      executor: o.executor,
      store,
      reporter: this.reporter,
      clock: o.clock,
      log: o.log,
      lookup: () => ({ deployments: this.deployments, programs: this.programs }),
      onSettled: () => {
        o.requestTick();
        o.requestFlush();
      },
    });
    this.center = new SoftwareCenter({
      store,
      reporter: this.reporter,
      clock: o.clock,
      deployments: () => [...this.deployments.values()],
      context: (nowMs) => this.context(nowMs),
      isActive: (id) => this.runner.isActive(id),
      names: (dep) => this.names(dep),
      ...(o.restarts === undefined ? {} : { restarts: o.restarts }),
      changed: () => {
        o.requestTick();
        o.requestFlush();
      },
    });
    this.setDocument(document);
  }

  static async open(o: SoftwareServiceOptions): Promise<SoftwareService> {
    const store = await DeploymentStateStore.open(o.stateDir, o.log);
    const document = await loadAssignments(
      o.stateDir,
      o.device.policySigningKey,
      o.device.deviceId,
    );
    return new SoftwareService(o, store, document);
  }

  /** Reports runs a previous agent process left, then opens the Software Center socket. */
  async start(options: { center: boolean }): Promise<void> {
    await this.runner.recover();
    this.o.taskSequences?.recover();
    if (!options.center) return;
    try {
      this.centerServer = await CenterServer.listen(
        this.o.stateDir,
        { handle: (r) => this.handle(r) },
        this.o.log,
      );
    } catch (err) {
      this.o.log.warn(`software center unavailable: ${errorMessage(err)}`);
    }
  }

  /** Closes the socket and abandons downloads; started programs keep running (recovered later). */
  async stop(): Promise<void> {
    this.runner.abortDownloads();
    await this.centerServer?.close();
    this.centerServer = undefined;
  }

  /** The device's maintenance windows as last assigned (agent upgrades fit into them too). */
  maintenanceWindows(): readonly WindowSpec[] {
    return this.document?.maintenanceWindows ?? [];
  }

  /** The update install options of this deployment as last assigned (undefined: not assigned). */
  updateInstallOf(deploymentId: string): AgentUpdateInstall | undefined {
    return this.deployments.get(deploymentId)?.updateInstall;
  }

  /** Resolves when no run or download is in progress. */
  async idle(): Promise<void> {
    await this.runner.idle();
    await this.o.taskSequences?.idle();
  }

  /**
   * Fetches, verifies and keeps the assignments. Any failure keeps the previous ones: the agent
   * goes on evaluating what it has (ADR 0007), so only a revoked device stops it.
   */
  async refreshAssignments(): Promise<void> {
    let signed: unknown;
    try {
      signed = await fetchSignedAssignments(this.o.http);
    } catch (err) {
      if (err instanceof DeviceRejectedError) throw err;
      if (err instanceof HttpStatusError && err.status === 404) {
        if (!this.unsupportedLogged) this.o.log.info('the site does not serve assignments yet');
        this.unsupportedLogged = true;
        return;
      }
      this.o.log.warn(`assignments not fetched (${errorMessage(err)}); using the last ones`);
      return;
    }
    const check = verifySignedAssignments(
      signed,
      this.o.device.policySigningKey,
      this.o.device.deviceId,
    );
    if (!check.ok) {
      this.o.log.error(`assignments refused: ${check.reason}; keeping the previous ones`);
      return;
    }
    const before = this.document === undefined ? undefined : canonicalJson(this.document);
    if (before === canonicalJson(check.document)) return;
    await saveAssignments(this.o.stateDir, check.signed);
    this.setDocument(check.document);
    this.o.requestTick();
    this.o.log.info(
      `assignments: ${check.document.deployments.length} deployments, ${check.document.maintenanceWindows.length} maintenance windows`,
    );
  }

  /** One evaluation of every deployment (the 30 s tick, nudges, Software Center requests). */
  async tick(): Promise<void> {
    await this.lock.run(async () => {
      await this.evaluate();
      await this.o.taskSequences?.tick();
    });
    await this.o.restarts?.tick();
  }

  private handle(request: CenterRequest): Promise<CenterResponse> {
    return this.lock.run(async () => {
      const ts = this.o.taskSequences;
      if (ts !== undefined && request.op === 'install' && ts.has(request.deploymentId))
        return ts.request(request.deploymentId, request.user);
      const response = await this.center.handle(request);
      if (ts !== undefined && request.op === 'list' && response.ok && 'deployments' in response)
        return { ...response, deployments: [...response.deployments, ...ts.centerEntries()] };
      return response;
    });
  }

  private setDocument(document: AssignmentsDocument | undefined): void {
    this.document = document;
    // An update deployment's deadline moves by this device's random delay (ADR 0056).
    this.deployments = new Map(
      (document?.deployments ?? []).map((d) => [
        d.id,
        withDeadlineDelay(d, this.o.device.deviceId),
      ]),
    );
    this.programs = new Map((document?.programs ?? []).map((p) => [p.id, p]));
    this.o.taskSequences?.setDeployments(document?.taskSequences ?? []);
  }

  /** A deployment of the current assignments (the update executor reads its install spec). */
  deployment(id: string): AgentDeployment | undefined {
    return this.deployments.get(id);
  }

  /** A program of the current assignments (custom updates' programs, ADR 0083). */
  program(id: string): AgentProgram | undefined {
    return this.programs.get(id);
  }

  private context(nowMs: number): EvalContext {
    return {
      nowMs,
      programs: this.programs,
      windows: this.document?.maintenanceWindows ?? [],
      programResults: this.store.current.programs,
    };
  }

  private names(dep: AgentDeployment): RunNames {
    return runNames(dep, dep.id, this.programs.get(dep.programId), dep.programId);
  }

  private async evaluate(): Promise<void> {
    const document = this.document;
    if (document === undefined) return;
    await this.runner.stopDisabled(this.programs);
    const now = this.o.clock.now().getTime();
    // The deployments as this device runs them (update deadlines moved by its random delay).
    const deployments = [...this.deployments.values()];
    for (const dep of deployments) await this.ensureReceived(dep, now);
    const ctx = this.context(now);
    const due: { dep: AgentDeployment; decision: Extract<Decision, { kind: 'run' }> }[] = [];
    for (const dep of deployments) {
      if (this.runner.isActive(dep.id)) continue;
      const rec = this.store.record(dep.id);
      let decision: Decision;
      try {
        decision = decide(dep, rec, ctx);
      } catch (err) {
        this.o.log.warn(`deployment ${dep.id} cannot be evaluated: ${errorMessage(err)}`);
        continue;
      }
      if (decision.kind === 'run') due.push({ dep, decision });
      else await this.apply(dep, rec, decision);
      await this.notifyIfNew(dep, this.store.record(dep.id), decision, now);
      await this.updateWaitMessage(dep, this.store.record(dep.id), decision, now);
      const program = this.programs.get(dep.programId);
      if (program !== undefined && wantsPreDownload(dep, rec, decision, program, now))
        this.runner.preDownload(dep, program);
    }
    if (this.runner.busy) return;
    // Software Center requests first (someone is waiting), then the oldest deadline.
    due.sort(
      (a, b) =>
        Number(b.decision.userRequested) - Number(a.decision.userRequested) ||
        a.decision.triggerMs - b.decision.triggerMs,
    );
    const next = due[0];
    if (next !== undefined) this.runner.launch(next.dep, next.decision.chain);
  }

  /** 'received' and PROGRAM_RECEIVED, once per revision; the revision's arrival is its 'asap' instant. */
  private async ensureReceived(dep: AgentDeployment, now: number): Promise<void> {
    const rec = this.store.record(dep.id);
    if (rec.revisionSeen === dep.revision) return;
    const seen: DeploymentRecord = { ...rec, revisionSeen: dep.revision, revisionSeenAtMs: now };
    let next: number | undefined;
    try {
      next = nextRunAt(dep, seen, now);
    } catch {
      next = undefined;
    }
    await this.reporter.state({
      deploymentId: dep.id,
      revision: dep.revision,
      state: 'received',
      ...(next === undefined ? {} : { nextRunAt: new Date(next).toISOString() }),
    });
    await this.reporter.message('PROGRAM_RECEIVED', this.names(dep));
    await this.store.updateDeployment(dep.id, (r) => ({
      ...r,
      revisionSeen: dep.revision,
      revisionSeenAtMs: now,
      lastState: 'received',
      reportedKey: undefined,
      retryAtMs: undefined,
    }));
  }

  private async apply(
    dep: AgentDeployment,
    rec: DeploymentRecord,
    decision: Exclude<Decision, { kind: 'run' }>,
  ): Promise<void> {
    switch (decision.kind) {
      case 'skip':
        await this.store.updateDeployment(dep.id, (r) => ({
          ...r,
          consumedMs: Math.max(r.consumedMs ?? 0, decision.triggerMs),
        }));
        return;
      case 'fail':
        await this.runner.failWithoutRun(
          dep,
          this.programs.get(dep.programId),
          decision.reasonCode,
          decision.reason,
        );
        return;
      case 'waiting-window': {
        const next = decision.nextRunAtMs;
        const nextIso = next === undefined ? undefined : new Date(next).toISOString();
        const key = `waiting-window:${dep.revision}:${decision.triggerMs}:${nextIso ?? '-'}`;
        const sent = await this.reportOnce(dep, rec, key, {
          deploymentId: dep.id,
          revision: dep.revision,
          state: 'waiting-window',
          ...(nextIso === undefined ? {} : { nextRunAt: nextIso }),
        });
        if (sent)
          await this.reporter.raw(
            'DEPLOYMENT_WAITING_FOR_WINDOW',
            [dep.name, String(Math.round(decision.durationMs / 60_000)), nextIso ?? 'none found'],
            this.names(dep),
          );
        return;
      }
      case 'expired':
      case 'not-yet-available':
      case 'program-missing':
      case 'disabled':
      case 'idle':
      case 'postponed':
      case 'waiting-content':
        return;
    }
  }

  /** Sends a non-terminal state once per key (a waiting state is not repeated every tick). */
  private async reportOnce(
    dep: AgentDeployment,
    rec: DeploymentRecord,
    key: string,
    fields: StateFields,
  ): Promise<boolean> {
    if (rec.reportedKey === key) return false;
    await this.reporter.state(fields);
    await this.store.updateDeployment(dep.id, (r) => ({
      ...r,
      reportedKey: key,
      lastState: fields.state,
    }));
    return true;
  }

  /** New available software, or a required deadline within 24 h: once per deployment revision. */
  private async notifyIfNew(
    dep: AgentDeployment,
    rec: DeploymentRecord,
    decision: Decision,
    now: number,
  ): Promise<void> {
    const notice = deadlineNotice(dep, decision, now, NOTIFY_AHEAD_MS);
    if (notice === undefined || (rec.notified ?? []).includes(notice.key)) return;
    await this.store.updateDeployment(dep.id, (r) => ({
      ...r,
      notified: [...(r.notified ?? []), notice.key].slice(-NOTIFIED_KEPT),
    }));
    if (notice.reminderFor !== undefined)
      await this.reporter.raw(
        'UPDATE_INSTALL_REMINDER',
        [dep.name, new Date(notice.reminderFor).toISOString()],
        this.names(dep),
      );
    void this.o.notifier.notify(notice.title, notice.body);
  }

  /** The seed's waiting messages of an update deployment (update-wait-messages.ts), once each. */
  private async updateWaitMessage(
    dep: AgentDeployment,
    rec: DeploymentRecord,
    decision: Decision,
    now: number,
  ): Promise<void> {
    const wait = updateWaitMessage(dep, decision, now);
    if (wait === undefined || (rec.notified ?? []).includes(wait.key)) return;
    await this.store.updateDeployment(dep.id, (r) => ({
      ...r,
      notified: [...(r.notified ?? []), wait.key].slice(-NOTIFIED_KEPT),
    }));
    await this.reporter.rawBody(wait.message, this.names(dep));
  }
}
