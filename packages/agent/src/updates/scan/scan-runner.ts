import { join } from 'node:path';
import {
  agentOps,
  UPDATE_SCAN_RANDOM_DELAY_SECONDS,
  ScanCatalogUpdate,
  type ScanCatalog,
  type UpdateScanKind,
  type UpdateScanReport,
} from '@steward/protocol';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { HttpsClient } from '../../channel/https-client.js';
import { readFileIfExists, writeFileAtomic } from '../../state/atomic-file.js';
import { scanInstalled, type ScanEnvironment } from './scan.js';

/** The catalog the agent holds between scans (its version, and each update's binaries). */
const HeldCatalog = Type.Object({
  version: Type.Integer(),
  updates: Type.Array(ScanCatalogUpdate),
});

const catalogFile = (stateDir: string) => join(stateDir, 'update-catalog.json');

async function readHeld(
  stateDir: string,
): Promise<{ version: number; updates: ScanCatalogUpdate[] }> {
  const text = await readFileIfExists(catalogFile(stateDir));
  if (text === undefined) return { version: 0, updates: [] };
  try {
    const parsed: unknown = JSON.parse(text);
    // A damaged file costs one full fetch, nothing more.
    return Value.Check(HeldCatalog, parsed) ? parsed : { version: 0, updates: [] };
  } catch {
    return { version: 0, updates: [] };
  }
}

/** Applies a delta (or takes a whole catalog); undefined when the delta does not fit the base. */
export function applyCatalog(
  held: { version: number; updates: ScanCatalogUpdate[] },
  got: ScanCatalog,
): { version: number; updates: ScanCatalogUpdate[] } | undefined {
  if (got.full) return { version: got.version, updates: got.updates };
  const byId = new Map(held.updates.map((u) => [u.id, u]));
  for (const id of got.removed) byId.delete(id);
  for (const u of got.updates) byId.set(u.id, u);
  if (byId.size !== got.count) return undefined;
  return { version: got.version, updates: [...byId.values()] };
}

/**
 * Brings the held catalog up to the site's version: the changes since the version held (ADR
 * 0046), or the whole catalog when the agent holds none or the delta does not land on its base.
 */
export async function refreshCatalog(
  http: HttpsClient,
  stateDir: string,
): Promise<{ version: number; updates: ScanCatalogUpdate[] }> {
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
 * One scan: refresh the catalog, evaluate it against dpkg's database, and put the report into the
 * outbox. A failure (no catalog, dpkg's status unreadable) is reported too, with why: the scan
 * audit lists it.
 */
export async function runUpdateScan(deps: {
  http: HttpsClient;
  stateDir: string;
  env: ScanEnvironment;
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
    report = {
      catalogVersion,
      kind: deps.kind,
      startedAt,
      finishedAt: deps.now().toISOString(),
      results,
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

/**
 * Milliseconds until the next scheduled scan: the interval after the last scan, plus a random
 * start delay; a device that never scanned starts within the random delay (after its first
 * inventory had time to happen).
 */
export async function updateScanDelayMs(
  stateDir: string,
  intervalSeconds: number,
  now: Date,
  random: () => number = Math.random,
): Promise<number> {
  const jitter = Math.floor(random() * UPDATE_SCAN_RANDOM_DELAY_SECONDS * 1000);
  const last = Date.parse((await readFileIfExists(lastScanFile(stateDir)))?.trim() ?? '');
  if (Number.isNaN(last)) return 10 * 60_000 + jitter;
  return Math.max(0, last + intervalSeconds * 1000 - now.getTime()) + jitter;
}

/** Remembers when the last scan ran, for the schedule. */
export async function recordScanTime(stateDir: string, at: string): Promise<void> {
  await writeFileAtomic(lastScanFile(stateDir), `${at}\n`);
}
