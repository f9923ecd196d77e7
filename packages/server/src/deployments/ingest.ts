import type { Insertable, Selectable } from 'kysely';
import { ErrorCode, type DeploymentStateReport, type RejectedReportItem } from '@steward/protocol';
import type { DeploymentDeviceStateTable } from '../db/tables/index.js';
import { assignedDeployments } from './repository/assignments.js';
import * as repo from './repository/device-states.js';
import type { Queryable } from '../db/database.js';

type StateRow = Selectable<DeploymentDeviceStateTable>;
type NewRow = Insertable<DeploymentDeviceStateTable>;

const CHUNK = 500;
const TERMINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'reboot-pending']);

/** Agent times are stored normalised so they compare as text (overdue filters, newest wins). */
function iso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/**
 * The schema accepts any number; the columns are a 32-bit integer and bigints. A value PostgreSQL
 * refuses would fail the whole batch at every retry and block the device's outbox, so exit codes
 * wrap to signed 32 bits (Windows-style 0xC0000005 reads as -1073741819) and byte counts are
 * whole and at most 2^53.
 */
function exitCode(value: number | undefined): number | null {
  return value === undefined ? null : value | 0;
}

function byteCount(value: number | undefined): number | null {
  return value === undefined ? null : Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}

function isNewer(r: { at: string; seq: number }, old: { state_at: string; device_seq: unknown }) {
  const a = Date.parse(r.at);
  const b = Date.parse(old.state_at);
  return a > b || (a === b && r.seq > Number(old.device_seq));
}

/**
 * What the last run left to restart stays shown while the next one waits or runs, and while the
 * same run reports again without it (a pending restart's countdown); another run's outcome
 * without one clears it.
 */
function restartNeedAfter(
  old: NewRow | undefined,
  body: DeploymentStateReport,
  terminal: boolean,
): string | null {
  if (body.restart !== undefined) return JSON.stringify(body.restart);
  const kept = old?.restart_need ?? null;
  return !terminal || (body.runId !== undefined && body.runId === old?.run_id) ? kept : null;
}

/** The stored row after one report: newest wins; a run's outcome counts once (by runId). */
function applyOne(
  old: NewRow | undefined,
  seq: number,
  body: DeploymentStateReport,
  deviceId: string,
): NewRow | undefined {
  const at = iso(body.at);
  if (old && !isNewer({ at, seq }, { state_at: old.state_at, device_seq: old.device_seq }))
    return undefined;
  const terminal = TERMINAL.has(body.state);
  // run_id is the last run whose outcome was counted: a re-sent outcome of it adds nothing.
  const counted = terminal && (body.runId === undefined || body.runId !== old?.run_id);
  return {
    deployment_id: body.deploymentId,
    device_id: deviceId,
    state: body.state,
    revision: body.revision,
    run_id: counted ? (body.runId ?? null) : (old?.run_id ?? null),
    reason_code: body.reasonCode ?? null,
    reason: body.reason ?? null,
    // The outcome of the last run stays visible while the next one waits or runs.
    exit_code: terminal ? exitCode(body.exitCode) : (old?.exit_code ?? null),
    output_tail: terminal ? (body.outputTail ?? null) : (old?.output_tail ?? null),
    restart_need: restartNeedAfter(old, body, terminal),
    bytes_done: byteCount(body.bytesDone),
    bytes_total: byteCount(body.bytesTotal),
    last_run_at: body.lastRunAt !== undefined ? iso(body.lastRunAt) : (old?.last_run_at ?? null),
    next_run_at: body.nextRunAt !== undefined ? iso(body.nextRunAt) : null,
    run_count: (old?.run_count ?? 0) + (counted ? 1 : 0),
    state_at: at,
    device_seq: seq,
  };
}

function toInsertable(r: StateRow): NewRow {
  return {
    ...r,
    // jsonb comes back parsed from PostgreSQL: written again as JSON text.
    restart_need:
      r.restart_need === null || typeof r.restart_need === 'string'
        ? r.restart_need
        : JSON.stringify(r.restart_need),
    bytes_done: r.bytes_done === null ? null : Number(r.bytes_done),
    bytes_total: r.bytes_total === null ? null : Number(r.bytes_total),
    run_count: r.run_count,
    device_seq: Number(r.device_seq),
  };
}

/**
 * The deployments this device may report states for: those that target it now (the same
 * assignment logic that builds its signed assignments document) and those it already holds a
 * state for (targeted when the run began: its late outcome still counts).
 */
async function reportableDeployments(
  tx: Queryable,
  deviceId: string,
  now: Date,
  current: ReadonlyMap<string, NewRow>,
): Promise<Set<string>> {
  const { deployments } = await assignedDeployments(tx, deviceId, now);
  return new Set([...deployments.map((d) => d.id), ...current.keys()]);
}

/**
 * Applies a device's `deployment:state` outbox items inside the batch's transaction (ADR 0004):
 * per (deployment, device) the newest `at` wins (ties by device sequence), so a re-sent or
 * late older item changes nothing. Items of a deleted deployment are acknowledged and dropped;
 * items of a deployment that does not target the device are refused (returned) and change
 * nothing: a device reports only what is its own.
 */
export async function applyDeploymentStates(
  tx: Queryable,
  deviceId: string,
  items: readonly { seq: number; body: DeploymentStateReport }[],
  now: Date,
): Promise<RejectedReportItem[]> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.body.deploymentId))];
  const known = new Set<string>();
  const current = new Map<string, NewRow>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    for (const id of await repo.existingDeploymentIds(tx, { ids: part })) known.add(id);
    const rows = await repo.deviceStates(tx, { deviceId, deploymentIds: part });
    for (const r of rows) current.set(r.deployment_id, toInsertable(r));
  }
  const reportable = await reportableDeployments(tx, deviceId, now, current);
  const rejected: RejectedReportItem[] = [];
  const changed = new Set<string>();
  for (const { seq, body } of [...items].sort((a, b) => a.seq - b.seq)) {
    if (!known.has(body.deploymentId)) continue;
    if (!reportable.has(body.deploymentId)) {
      rejected.push({
        seq,
        code: ErrorCode.REPORT_ITEM_NOT_TARGETED,
        message: `deployment ${body.deploymentId} does not target this device`,
      });
      continue;
    }
    const next = applyOne(current.get(body.deploymentId), seq, body, deviceId);
    if (!next) continue;
    current.set(body.deploymentId, next);
    changed.add(body.deploymentId);
  }
  const rows = [...changed].flatMap((id) => current.get(id) ?? []);
  for (let i = 0; i < rows.length; i += CHUNK)
    await repo.upsertDeviceStates(tx, { rows: rows.slice(i, i + CHUNK) });
  return rejected;
}
