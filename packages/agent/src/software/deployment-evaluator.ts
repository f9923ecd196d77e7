import {
  canStartIn,
  lastTriggerTime,
  nextFittingStart,
  nextTriggerTime,
  wallTimeToInstant,
  windowIntervals,
  type AgentDeployment,
  type AgentProgram,
  type WindowSpec,
} from '@steward/protocol';
import type { DeploymentRecord, ProgramRecord } from './deployment-state.js';
import { updateWindows } from '../updates/deploy/policy.js';

/**
 * The pure decision of what one deployment should do now (ADR 0007: the agent evaluates
 * schedules and windows itself, so they hold while it is offline). No I/O: the service applies
 * the decision (reports, runs, consumes triggers).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Windows are looked at this far ahead first; a longer search only when none fits. */
const WINDOW_HORIZON_MS = 8 * DAY_MS;
const WINDOW_LONG_HORIZON_MS = 400 * DAY_MS;
const MAX_DEPENDENCY_DEPTH = 10;

export interface EvalContext {
  nowMs: number;
  programs: ReadonlyMap<string, AgentProgram>;
  windows: readonly WindowSpec[];
  programResults: Readonly<Record<string, ProgramRecord>>;
}

export type Decision =
  | { kind: 'expired' }
  | { kind: 'not-yet-available'; availableAtMs: number; nextRunAtMs?: number }
  | { kind: 'program-missing' }
  | { kind: 'disabled' }
  /** Nothing due; `nextRunAtMs` when a timed trigger will fire and may run. */
  | { kind: 'idle'; nextRunAtMs?: number }
  /** A trigger fired but the rerun behaviour says no: mark it consumed. */
  | { kind: 'skip'; triggerMs: number; nextRunAtMs?: number }
  | { kind: 'postponed'; triggerMs: number; untilMs: number }
  | { kind: 'waiting-content'; triggerMs: number; retryAtMs: number }
  | { kind: 'waiting-window'; triggerMs: number; durationMs: number; nextRunAtMs?: number }
  /** Due, but it cannot run: fails with the code (dependency problems). */
  | { kind: 'fail'; triggerMs: number; reasonCode: string; reason: string }
  /** Run `chain` in order (dependencies not yet satisfied first, the program last). */
  | { kind: 'run'; triggerMs: number; userRequested: boolean; chain: AgentProgram[] };

export type DecisionKind = Decision['kind'];

function wall(value: string | null, dep: AgentDeployment): number | undefined {
  return value === null ? undefined : wallTimeToInstant(value, dep.timeBase);
}

/** The rerun behaviour applied to this device's history (a first run is always allowed). */
export function rerunAllowed(dep: AgentDeployment, rec: DeploymentRecord): boolean {
  if (rec.lastRunRevision === undefined) return true;
  switch (dep.rerun) {
    case 'never':
      return rec.lastRunRevision !== dep.revision;
    case 'always':
      return true;
    case 'if-failed':
      return rec.lastResult === 'failed';
    case 'if-succeeded':
      return rec.lastResult === 'succeeded' || rec.lastResult === 'reboot-pending';
  }
}

/**
 * The latest trigger occurrence at or before now that has not been acted on. Occurrences:
 * 'asap' when the revision was received; 'on-enrolment' at the device's targeting; 'at'
 * occurrences and extra assignments; a raised revision ("rerun deployment") when it was seen.
 * Missed occurrences collapse into one run, as SMS runs a past-due assignment once.
 */
export function pendingTrigger(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  nowMs: number,
): number | undefined {
  const seenAt = rec.revisionSeenAtMs ?? nowMs;
  const candidates: (number | undefined)[] = [
    lastTriggerTime(dep.triggers, dep.extraAssignments, dep.timeBase, nowMs),
  ];
  for (const t of dep.triggers) {
    if (t.type === 'asap') candidates.push(seenAt);
    if (t.type === 'on-enrolment') candidates.push(Date.parse(dep.targetedAt));
  }
  if (rec.lastRunRevision !== undefined && dep.revision > rec.lastRunRevision)
    candidates.push(seenAt);
  let latest: number | undefined;
  for (const c of candidates)
    if (c !== undefined && !Number.isNaN(c) && c <= nowMs && (latest === undefined || c > latest))
      latest = c;
  if (latest === undefined) return undefined;
  return rec.consumedMs === undefined || latest > rec.consumedMs ? latest : undefined;
}

export type ChainResult =
  { ok: true; chain: AgentProgram[] } | { ok: false; reasonCode: string; reason: string };

/**
 * "Run another program first": the dependencies that have not succeeded on this device, the
 * deepest first, then the program itself. A dependency that succeeded ends the walk.
 */
export function dependencyChain(
  program: AgentProgram,
  programs: ReadonlyMap<string, AgentProgram>,
  results: Readonly<Record<string, ProgramRecord>>,
): ChainResult {
  const chain: AgentProgram[] = [program];
  const seen = new Set([program.id]);
  for (let p = program; p.dependsOnProgramId !== null;) {
    const id = p.dependsOnProgramId;
    if (seen.has(id) || chain.length > MAX_DEPENDENCY_DEPTH)
      return {
        ok: false,
        reasonCode: 'DEPENDENCY_CYCLE',
        reason: `program ${id} depends on itself`,
      };
    const result = results[id]?.lastResult;
    if (result === 'succeeded' || result === 'reboot-pending') break;
    const dependency = programs.get(id);
    if (dependency === undefined)
      return {
        ok: false,
        reasonCode: 'DEPENDENCY_MISSING',
        reason: `program ${id}, which must run first, is not in the assignments`,
      };
    if (dependency.disabled)
      return {
        ok: false,
        reasonCode: 'DEPENDENCY_DISABLED',
        reason: `program "${dependency.name}", which must run first, is disabled`,
      };
    chain.unshift(dependency);
    seen.add(id);
    p = dependency;
  }
  return { ok: true, chain };
}

/** Maximum run time of a chain: what must fit in the maintenance window. */
export function chainDurationMs(chain: readonly AgentProgram[]): number {
  return chain.reduce((sum, p) => sum + p.maxRunMinutes * MINUTE_MS, 0);
}

/**
 * Whether a run of `durationMs` may start now under the maintenance windows of type 'all';
 * when not, the next instant it fits. No applicable window means no restriction.
 */
export function windowCheck(
  windows: readonly WindowSpec[],
  nowMs: number,
  durationMs: number,
): { ok: true } | { ok: false; nextRunAtMs?: number } {
  if (!windows.some((w) => w.enabled && w.appliesTo === 'all')) return { ok: true };
  const near = windowIntervals(
    windows,
    nowMs - DAY_MS,
    nowMs + durationMs + WINDOW_HORIZON_MS,
    'all',
  );
  if (canStartIn(near, nowMs, durationMs)) return { ok: true };
  const next =
    nextFittingStart(near, nowMs, durationMs) ??
    nextFittingStart(
      windowIntervals(windows, nowMs - DAY_MS, nowMs + durationMs + WINDOW_LONG_HORIZON_MS, 'all'),
      nowMs,
      durationMs,
    );
  return next === undefined ? { ok: false } : { ok: false, nextRunAtMs: next };
}

/** The next timed trigger that could run (none when the rerun behaviour rules reruns out). */
export function nextRunAt(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  afterMs: number,
): number | undefined {
  if (dep.purpose !== 'required' || !rerunAllowed(dep, rec)) return undefined;
  return nextTriggerTime(dep.triggers, dep.extraAssignments, dep.timeBase, afterMs);
}

function runOrFail(
  dep: AgentDeployment,
  program: AgentProgram,
  ctx: EvalContext,
  triggerMs: number,
  userRequested: boolean,
  rec: DeploymentRecord,
): Decision {
  // Also for Software Center requests: content that just failed is not asked for again at once
  // (installing from the Software Center clears the delay, once).
  if (rec.retryAtMs !== undefined && rec.retryAtMs > ctx.nowMs)
    return { kind: 'waiting-content', triggerMs, retryAtMs: rec.retryAtMs };
  const chain = dependencyChain(program, ctx.programs, ctx.programResults);
  if (!chain.ok)
    return { kind: 'fail', triggerMs, reasonCode: chain.reasonCode, reason: chain.reason };
  // Windows restrict what runs by itself; a user asking in the Software Center is not held back.
  if (!userRequested && !dep.overrideMaintenanceWindows) {
    const durationMs = chainDurationMs(chain.chain);
    // Update deployments honour update-only windows first when there are any (ADR 0056).
    const windows = dep.updateInstall ? updateWindows(ctx.windows) : ctx.windows;
    const check = windowCheck(windows, ctx.nowMs, durationMs);
    if (!check.ok) {
      const d: Decision = { kind: 'waiting-window', triggerMs, durationMs };
      if (check.nextRunAtMs !== undefined) d.nextRunAtMs = check.nextRunAtMs;
      return d;
    }
  }
  return { kind: 'run', triggerMs, userRequested, chain: chain.chain };
}

/** What `dep` should do at `ctx.nowMs`, given this device's record of it. */
export function decide(dep: AgentDeployment, rec: DeploymentRecord, ctx: EvalContext): Decision {
  const now = ctx.nowMs;
  const expiresAt = wall(dep.expiresAt, dep);
  if (expiresAt !== undefined && now >= expiresAt) return { kind: 'expired' };
  const availableAt = wall(dep.availableAt, dep);
  if (availableAt !== undefined && now < availableAt) {
    const d: Decision = { kind: 'not-yet-available', availableAtMs: availableAt };
    const next = dep.triggers.some((t) => t.type === 'asap')
      ? availableAt
      : nextRunAt(dep, rec, availableAt - 1);
    if (next !== undefined && dep.purpose === 'required') d.nextRunAtMs = next;
    return d;
  }
  const program = ctx.programs.get(dep.programId);
  if (program === undefined) return { kind: 'program-missing' };
  if (program.disabled) return { kind: 'disabled' };
  // An install request from the Software Center (checked against the rerun rule when made).
  if (rec.requestedAtMs !== undefined)
    return runOrFail(dep, program, ctx, rec.requestedAtMs, true, rec);
  if (dep.purpose === 'available') return { kind: 'idle' };

  const triggerMs = pendingTrigger(dep, rec, now);
  if (triggerMs === undefined) {
    const next = nextRunAt(dep, rec, now);
    return next === undefined ? { kind: 'idle' } : { kind: 'idle', nextRunAtMs: next };
  }
  if (!rerunAllowed(dep, rec)) return { kind: 'skip', triggerMs };
  if (
    rec.postponedUntilMs !== undefined &&
    rec.postponedUntilMs > now &&
    rec.postponeDeadlineMs === triggerMs
  )
    return { kind: 'postponed', triggerMs, untilMs: rec.postponedUntilMs };
  return runOrFail(dep, program, ctx, triggerMs, false, rec);
}

/**
 * "Make available before the deadline": a required deployment that is waiting for its time
 * downloads its content now, so the run does not wait for it.
 */
export function wantsPreDownload(
  dep: AgentDeployment,
  rec: DeploymentRecord,
  decision: Decision,
  program: AgentProgram | undefined,
  nowMs: number,
): boolean {
  if (program === undefined || program.disabled) return false;
  if (dep.purpose !== 'required' || !dep.preDownload || dep.contentMode !== 'download')
    return false;
  if (rec.preDownloaded === program.packageVersionId) return false;
  if (rec.retryAtMs !== undefined && rec.retryAtMs > nowMs) return false;
  switch (decision.kind) {
    case 'idle':
      return decision.nextRunAtMs !== undefined;
    case 'waiting-window':
    case 'postponed':
      return true;
    default:
      return false;
  }
}
