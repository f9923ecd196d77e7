import { join } from 'node:path';
import {
  agentOps,
  ScanCatalogCustom,
  ScanCatalogUpdate,
  type ScanCatalog,
  type UpdateScanKind,
  type UpdateScanReport,
} from '@steward/protocol';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { HttpsClient } from '../../channel/https-client.js';
import { readFileIfExists, writeFileAtomic } from '../../state/atomic-file.js';
import { scanInstalled, type ScanEnvironment } from './scan.js';
import { scanCustomUpdates } from '../custom/scan-custom.js';

/**
 * The catalog the agent holds between scans: its version, each update's binaries, and the
 * custom updates' rules (ADR 0074; absent in a file written before them, read as none).
 */
const HeldCatalog = Type.Object({
  version: Type.Integer(),
  updates: Type.Array(ScanCatalogUpdate),
  custom: Type.Optional(Type.Array(ScanCatalogCustom)),
});
export type HeldCatalog = Static<typeof HeldCatalog>;

const catalogFile = (stateDir: string) => join(stateDir, 'update-catalog.json');
const EMPTY: HeldCatalog = { version: 0, updates: [], custom: [] };

async function readHeld(stateDir: string): Promise<HeldCatalog> {
  const text = await readFileIfExists(catalogFile(stateDir));
  if (text === undefined) return EMPTY;
  try {
    const parsed: unknown = JSON.parse(text);
    // A damaged file costs one full fetch, nothing more.
    return Value.Check(HeldCatalog, parsed) ? parsed : EMPTY;
  } catch {
    return EMPTY;
  }
}

/**
 * Applies a delta (or takes a whole catalog); undefined when the delta does not fit the base.
 * A delta without `custom` leaves the held custom updates as they are (they did not change).
 */
export function applyCatalog(held: HeldCatalog, got: ScanCatalog): HeldCatalog | undefined {
  if (got.full) return { version: got.version, updates: got.updates, custom: got.custom ?? [] };
  const byId = new Map(held.updates.map((u) => [u.id, u]));
  for (const id of got.removed) byId.delete(id);
  for (const u of got.updates) byId.set(u.id, u);
  if (byId.size !== got.count) return undefined;
  return {
    version: got.version,
    updates: [...byId.values()],
    custom: got.custom ?? held.custom ?? [],
  };
}

/**
 * Brings the held catalog up to the site's version: the changes since the version held (ADR
 * 0046), or the whole catalog when the agent holds none or the delta does not land on its base.
 */
export async function refreshCatalog(http: HttpsClient, stateDir: string): Promise<HeldCatalog> {
  const held = await readHeld(stateDir);
  const since = held.version > 0 ? { since: held.version } : {};
  let next = applyCatalog(held, await http.call(agentOps.updateScan.catalog, { query: since }));
  next ??= applyCatalog(held, await http.call(agentOps.updateScan.catalog, { query: {} }));
  if (!next) throw new Error('the site sent a delta for a whole catalog request');
  if (next.version !== held.version)
    await writeFileAtomic(catalogFile(stateDir), JSON.stringify(next));
  return next;
}

/**
 * One scan: refresh the catalog, evaluate it against dpkg's database and the custom updates'
 * rules against the machine (ADR 0074), and put the report into the outbox. A failure (no
 * catalog, dpkg's status unreadable) is reported too, with why: the scan audit lists it.
 */
export async function runUpdateScan(deps: {
  http: HttpsClient;
  stateDir: string;
  env: ScanEnvironment;
  /** Prepended to custom rules' paths (a sandbox root in tests); the machine's own when absent. */
  customRoot?: string;
  kind: UpdateScanKind;
  now: () => Date;
  enqueue: (report: UpdateScanReport) => Promise<number>;
}): Promise<UpdateScanReport> {
  const startedAt = deps.now().toISOString();
  let catalogVersion = 0;
  let report: UpdateScanReport;
  try {
    const catalog = await refreshCatalog(deps.http, deps.stateDir);
    catalogVersion = catalog.version;
    const results = await scanInstalled(catalog.updates, deps.env);
    const custom = await scanCustomUpdates(
      catalog.custom ?? [],
      deps.env,
      deps.customRoot !== undefined ? { root: deps.customRoot } : {},
    );
    report = {
      catalogVersion,
      kind: deps.kind,
      startedAt,
      finishedAt: deps.now().toISOString(),
      results,
      custom: custom.map((r) => ({
        updateId: r.updateId,
        state: r.state,
        details: r.details.slice(0, 64).map((d) => d.slice(0, 500)),
      })),
    };
  } catch (err) {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    report = {
      catalogVersion,
      kind: deps.kind,
      startedAt,
      finishedAt: deps.now().toISOString(),
      error,
      results: [],
    };
  }
  await deps.enqueue(report);
  return report;
}

const lastScanFile = (stateDir: string) => join(stateDir, 'update-scan-last.txt');
const scheduleFile = (stateDir: string) => join(stateDir, 'update-scan-schedule.json');

/** The scan schedule in force: the settings it was planned with, and when the next scan runs. */
export const UpdateScanSchedule = Type.Object({
  intervalSeconds: Type.Integer(),
  randomDelaySeconds: Type.Integer(),
  /** When the next scheduled scan starts (ISO). */
  nextAt: Type.String(),
  /** The random delay drawn for it, in seconds (part of nextAt). */
  delaySeconds: Type.Integer(),
});
export type UpdateScanSchedule = Static<typeof UpdateScanSchedule>;

/** The schedule the agent planned last (`steward-agent status` shows it), if any. */
export async function readUpdateScanSchedule(
  stateDir: string,
): Promise<UpdateScanSchedule | undefined> {
  const text = await readFileIfExists(scheduleFile(stateDir));
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Value.Check(UpdateScanSchedule, parsed) ? parsed : undefined;
  } catch {
    return undefined; // a damaged file is planned again
  }
}

export interface UpdateScanTiming {
  intervalSeconds: number;
  randomDelaySeconds: number;
}

/**
 * Plans the next scheduled scan and returns the milliseconds until it: the interval after the
 * last scan plus a random start delay; a device that never scanned starts within the random delay
 * (after its first inventory had time to happen). The plan is kept in the state directory and
 * reused while the settings stay the same, so a new policy (any change) does not draw a new delay
 * each time and push the scan back; settings that changed (a collection's client settings, ADR
 * 0064) or a scan that just ran (`replan`) plan it again.
 */
export async function updateScanDelayMs(
  stateDir: string,
  timing: UpdateScanTiming,
  now: Date,
  opts: { replan?: boolean; random?: () => number } = {},
): Promise<number> {
  const held = opts.replan === true ? undefined : await readUpdateScanSchedule(stateDir);
  if (
    held !== undefined &&
    held.intervalSeconds === timing.intervalSeconds &&
    held.randomDelaySeconds === timing.randomDelaySeconds
  )
    return Math.max(0, Date.parse(held.nextAt) - now.getTime());
  const delaySeconds = Math.floor((opts.random ?? Math.random)() * timing.randomDelaySeconds);
  const last = Date.parse((await readLastScanAt(stateDir)) ?? '');
  const base = Number.isNaN(last)
    ? now.getTime() + 10 * 60_000
    : Math.max(now.getTime(), last + timing.intervalSeconds * 1000);
  const next = base + delaySeconds * 1000;
  const plan: UpdateScanSchedule = {
    ...timing,
    nextAt: new Date(next).toISOString(),
    delaySeconds,
  };
  await writeFileAtomic(scheduleFile(stateDir), JSON.stringify(plan) + '\n');
  return next - now.getTime();
}

/** When the last scan finished (ISO), if the agent ever scanned. */
export async function readLastScanAt(stateDir: string): Promise<string | undefined> {
  const text = (await readFileIfExists(lastScanFile(stateDir)))?.trim() ?? '';
  return Number.isNaN(Date.parse(text)) ? undefined : text;
}

/** Remembers when the last scan ran, for the schedule. */
export async function recordScanTime(stateDir: string, at: string): Promise<void> {
  await writeFileAtomic(lastScanFile(stateDir), `${at}\n`);
}
