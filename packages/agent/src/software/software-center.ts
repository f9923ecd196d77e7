import type { AgentDeployment } from '@steward/protocol';
import type { Clock } from '../clock.js';
import type { RestartCoordinator } from '../updates/restart/restart-coordinator.js';
import {
  centerError,
  type CenterEntry,
  type CenterRequest,
  type CenterResponse,
} from './center-protocol.js';
import {
  decide,
  nextRunAt,
  pendingTrigger,
  rerunAllowed,
  type Decision,
  type EvalContext,
} from './deployment-evaluator.js';
import type { DeploymentReporter, RunNames } from './deployment-reporter.js';
import type { DeploymentRecord, DeploymentStateStore } from './deployment-state.js';

const MINUTE_MS = 60_000;

/** The pending update restarts as the Software Center reaches them (ADR 0071). */
export type RestartPort = Pick<RestartCoordinator, 'list' | 'snooze' | 'restartNow' | 'tick'>;

export interface SoftwareCenterOptions {
  store: DeploymentStateStore;
  reporter: DeploymentReporter;
  clock: Clock;
  deployments(): readonly AgentDeployment[];
  context(nowMs: number): EvalContext;
  isActive(deploymentId: string): boolean;
  names(dep: AgentDeployment): RunNames;
  restarts?: RestartPort;
  /** Something changed: evaluate soon and deliver the reports. */
  changed(): void;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** The instant a postponement counts from: the pending trigger, else the next one. */
function deadlineOf(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  nowMs: number,
): number | undefined {
  const pending = pendingTrigger(dep, rec, nowMs);
  if (pending !== undefined) return pending;
  return nextRunAt(dep, rec, nowMs);
}

/** Minutes of postponement still allowed for the deadline (cumulative from the deadline). */
function postponeRoom(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  deadline: number | undefined,
  nowMs: number,
): { base: number; remainingMs: number } | undefined {
  if (deadline === undefined || dep.purpose !== 'required') return undefined;
  const current =
    rec.postponeDeadlineMs === deadline && rec.postponedUntilMs !== undefined
      ? rec.postponedUntilMs
      : deadline;
  const base = Math.max(current, nowMs);
  return { base, remainingMs: deadline + dep.maxPostponeMinutes * MINUTE_MS - base };
}

/**
 * The Software Center's operations (seed: users install available software and may postpone a
 * required run up to a limit set on the deployment). Runs under the service lock.
 */
export class SoftwareCenter {
  constructor(private readonly o: SoftwareCenterOptions) {}

  async handle(request: CenterRequest): Promise<CenterResponse> {
    switch (request.op) {
      case 'list':
        return { ok: true, deployments: this.list(), restarts: this.o.restarts?.list() ?? [] };
      case 'restart-snooze':
        return this.snoozeRestart(request);
      case 'restart-now':
        return this.restartNow(request.deploymentId, request.user);
      case 'install':
        return this.install(request.deploymentId, request.user);
      case 'postpone':
        return this.moveInstall(request.deploymentId, request.user, { minutes: request.minutes });
      case 'reschedule':
        return this.moveInstall(request.deploymentId, request.user, {
          atMs: Date.parse(request.at),
        });
    }
  }

  list(): CenterEntry[] {
    const now = this.o.clock.now().getTime();
    const ctx = this.o.context(now);
    const entries: CenterEntry[] = [];
    for (const dep of this.o.deployments()) {
      const rec = this.o.store.record(dep.id);
      const decision = safeDecide(dep, rec, ctx);
      const active = this.o.isActive(dep.id);
      if (!active && !listed(dep, decision)) continue;
      const names = this.o.names(dep);
      const next = nextOf(decision);
      const room = postponeRoom(dep, rec, safeDeadline(dep, rec, now), now);
      entries.push({
        deploymentId: dep.id,
        name: dep.name,
        purpose: dep.purpose,
        packageName: names.packageName,
        programName: names.programName,
        state: active ? 'running' : stateOf(dep, rec, decision),
        nextRunAt: iso(next),
        lastRunAt: rec.lastRunAt ?? null,
        lastResult: rec.lastResult ?? null,
        postponedUntil:
          rec.postponedUntilMs !== undefined && rec.postponedUntilMs > now
            ? iso(rec.postponedUntilMs)
            : null,
        maxPostponeMinutes: dep.maxPostponeMinutes,
        postponeRemainingMinutes:
          room === undefined || active ? 0 : Math.max(0, Math.floor(room.remainingMs / MINUTE_MS)),
      });
    }
    return entries;
  }

  private async snoozeRestart(
    request: Extract<CenterRequest, { op: 'restart-snooze' }>,
  ): Promise<CenterResponse> {
    const { deploymentId, minutes, until } = request;
    if ((minutes === undefined) === (until === undefined))
      return centerError('BAD_REQUEST', 'give either minutes or until');
    const by = minutes !== undefined ? { minutes } : { untilMs: Date.parse(until ?? '') };
    const result = await this.o.restarts?.snooze(deploymentId, by, request.user);
    if (result === undefined)
      return centerError('NO_RESTART', `no restart is pending for deployment ${deploymentId}`);
    if (!result.ok) return centerError(result.code, result.message);
    const at = new Date(result.restart.restartAtMs ?? 0).toISOString();
    this.o.changed();
    return {
      ok: true,
      deploymentId,
      restartAt: at,
      message: `the restart for "${result.restart.name}" moved to ${at}`,
    };
  }

  private async restartNow(deploymentId: string, user: string): Promise<CenterResponse> {
    const r = await this.o.restarts?.restartNow(deploymentId, user);
    if (r === undefined)
      return centerError('NO_RESTART', `no restart is pending for deployment ${deploymentId}`);
    return { ok: true, deploymentId, message: `restarting for "${r.name}"` };
  }

  private find(deploymentId: string): AgentDeployment | undefined {
    return this.o.deployments().find((d) => d.id === deploymentId);
  }

  private async install(deploymentId: string, user: string): Promise<CenterResponse> {
    const dep = this.find(deploymentId);
    if (dep === undefined)
      return centerError('NOT_FOUND', `no deployment ${deploymentId} for this device`);
    const now = this.o.clock.now().getTime();
    const rec = this.o.store.record(dep.id);
    const refusal = installRefusal(dep, rec, safeDecide(dep, rec, this.o.context(now)));
    if (refusal !== undefined) return refusal;
    if (this.o.isActive(dep.id))
      return centerError('ALREADY_RUNNING', `"${dep.name}" is being installed now`);
    if (rec.requestedAtMs !== undefined)
      return { ok: true, deploymentId, message: `"${dep.name}" is already queued` };
    await this.o.store.updateDeployment(dep.id, (r) => ({
      ...r,
      requestedAtMs: now,
      requestedBy: user,
      retryAtMs: undefined,
    }));
    await this.o.reporter.raw(
      'SOFTWARE_CENTER_INSTALL_REQUESTED',
      [dep.name, user],
      this.o.names(dep),
    );
    this.o.changed();
    return { ok: true, deploymentId, message: `"${dep.name}" will be installed now` };
  }

  /**
   * Moves a required run later, within the deployment's postponement limit (cumulative from the
   * deadline): by N minutes (seed table 3, 11253 "the user postponed the installation") or to a
   * chosen time (11252 "the user changed the installation schedule"). Moving it earlier is
   * `install` (run now); a time before the run already scheduled is refused.
   */
  private async moveInstall(
    deploymentId: string,
    user: string,
    by: { minutes: number } | { atMs: number },
  ): Promise<CenterResponse> {
    const dep = this.find(deploymentId);
    if (dep === undefined)
      return centerError('NOT_FOUND', `no deployment ${deploymentId} for this device`);
    if (dep.purpose !== 'required')
      return centerError('NOT_REQUIRED', `"${dep.name}" is optional: nothing to postpone`);
    if (dep.maxPostponeMinutes <= 0)
      return centerError('POSTPONE_NOT_ALLOWED', `"${dep.name}" cannot be postponed`);
    if (this.o.isActive(dep.id))
      return centerError('ALREADY_RUNNING', `"${dep.name}" is being installed now`);
    const now = this.o.clock.now().getTime();
    const rec = this.o.store.record(dep.id);
    const deadline = safeDeadline(dep, rec, now);
    const room = postponeRoom(dep, rec, deadline, now);
    if (deadline === undefined || room === undefined)
      return centerError('NOTHING_SCHEDULED', `"${dep.name}" has no run to postpone`);
    const latest = room.base + room.remainingMs;
    const until = 'minutes' in by ? room.base + by.minutes * MINUTE_MS : by.atMs;
    if (Number.isNaN(until)) return centerError('BAD_REQUEST', 'the new time is not a date');
    if (until <= room.base)
      return centerError(
        'RESCHEDULE_TOO_EARLY',
        `"${dep.name}" is already scheduled for ${new Date(room.base).toISOString()}: choose a later time, or install it now`,
      );
    if (until > latest)
      return centerError(
        'POSTPONE_LIMIT',
        'minutes' in by
          ? `"${dep.name}" can be postponed by at most ${Math.max(0, Math.floor(room.remainingMs / MINUTE_MS))} more minutes (limit ${dep.maxPostponeMinutes} minutes from the deadline)`
          : `"${dep.name}" can be rescheduled to ${new Date(latest).toISOString()} at the latest (limit ${dep.maxPostponeMinutes} minutes from the deadline)`,
      );
    await this.o.store.updateDeployment(dep.id, (r) => ({
      ...r,
      postponeDeadlineMs: deadline,
      postponedUntilMs: until,
    }));
    const untilIso = new Date(until).toISOString();
    const names = this.o.names(dep);
    if ('minutes' in by) {
      await this.o.reporter.raw('SOFTWARE_CENTER_POSTPONED', [dep.name, user, untilIso], names);
      await this.o.reporter.raw('UPDATE_POSTPONED_BY_USER', [dep.name], names);
    } else {
      await this.o.reporter.raw('SOFTWARE_CENTER_RESCHEDULED', [dep.name, user, untilIso], names);
      await this.o.reporter.raw('UPDATE_RESCHEDULED_BY_USER', [dep.name, untilIso], names);
    }
    this.o.changed();
    return {
      ok: true,
      deploymentId,
      postponedUntil: untilIso,
      message: `"${dep.name}" ${'minutes' in by ? 'postponed until' : 'rescheduled to'} ${untilIso}`,
    };
  }
}

function safeDecide(dep: AgentDeployment, rec: DeploymentRecord, ctx: EvalContext): Decision {
  try {
    return decide(dep, rec, ctx);
  } catch {
    return { kind: 'program-missing' };
  }
}

function safeDeadline(dep: AgentDeployment, rec: DeploymentRecord, nowMs: number) {
  try {
    return deadlineOf(dep, rec, nowMs);
  } catch {
    return undefined;
  }
}

function installRefusal(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  decision: Decision,
): CenterResponse | undefined {
  switch (decision.kind) {
    case 'expired':
      return centerError('EXPIRED', `"${dep.name}" has expired`);
    case 'not-yet-available':
      return centerError(
        'NOT_AVAILABLE_YET',
        `"${dep.name}" is available from ${new Date(decision.availableAtMs).toISOString()}`,
      );
    case 'program-missing':
      return centerError('NOT_FOUND', `the program of "${dep.name}" is not known to this device`);
    case 'disabled':
      return centerError('PROGRAM_DISABLED', `the program of "${dep.name}" is disabled`);
    default:
      if (dep.purpose === 'required' && !rerunAllowed(dep, rec))
        return centerError(
          'ALREADY_DONE',
          `"${dep.name}" already ran on this device (rerun behaviour: ${dep.rerun})`,
        );
      return undefined;
  }
}

/** Available software that is offered now; required deployments with a run to come. */
function listed(dep: AgentDeployment, decision: Decision): boolean {
  switch (decision.kind) {
    case 'expired':
    case 'program-missing':
    case 'disabled':
      return false;
    case 'not-yet-available':
      return dep.purpose === 'required' && decision.nextRunAtMs !== undefined;
    case 'idle':
      return dep.purpose === 'available' || decision.nextRunAtMs !== undefined;
    case 'skip':
      return false;
    case 'postponed':
    case 'waiting-content':
    case 'waiting-window':
    case 'fail':
    case 'run':
      return true;
  }
}

function nextOf(decision: Decision): number | undefined {
  switch (decision.kind) {
    case 'idle':
    case 'not-yet-available':
    case 'waiting-window':
      return decision.nextRunAtMs;
    case 'postponed':
      return decision.untilMs;
    case 'waiting-content':
      return decision.retryAtMs;
    case 'run':
    case 'fail':
      return decision.triggerMs;
    case 'expired':
    case 'program-missing':
    case 'disabled':
    case 'skip':
      return undefined;
  }
}

function stateOf(dep: AgentDeployment, rec: DeploymentRecord, decision: Decision): string {
  switch (decision.kind) {
    case 'run':
      return decision.userRequested ? 'queued' : 'due';
    case 'waiting-window':
    case 'waiting-content':
    case 'postponed':
      return decision.kind;
    case 'not-yet-available':
      return 'scheduled';
    default:
      if (rec.lastResult !== undefined) return rec.lastResult;
      return dep.purpose === 'available' ? 'available' : 'scheduled';
  }
}
