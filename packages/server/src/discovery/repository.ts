import { sql, type Insertable, type Selectable } from 'kysely';
import type { DiscoveredMachineTable, DiscoverySweepTable } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { checkRow } from '../db/corrupt-row.js';
import { deviceNames } from '../devices/repository.js';

export type SweepRow = Selectable<DiscoverySweepTable>;
export type MachineRow = Selectable<DiscoveredMachineTable>;
export type MachineWithDevice = MachineRow & { device_name: string | null };

export async function insertSweep(
  db: Queryable,
  row: Insertable<DiscoverySweepTable>,
): Promise<void> {
  await db.insertInto('discovery_sweep').values(row).execute();
}

export async function findSweep(db: Queryable, id: string): Promise<SweepRow | undefined> {
  const row = await db
    .selectFrom('discovery_sweep')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && checkRow('discovery_sweep', row.id, row);
}

/** Newest first, one page, and how many there are. */
export async function listSweeps(
  db: Queryable,
  page: { offset: number; limit: number },
): Promise<{ rows: SweepRow[]; total: number }> {
  const total = await db
    .selectFrom('discovery_sweep')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const rows = await db
    .selectFrom('discovery_sweep')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { rows: rows.map((r) => checkRow('discovery_sweep', r.id, r)), total: toNumber(total?.n) };
}

/** Progress of a running sweep; answers who asked to cancel it, if anyone did. */
export async function recordSweepProgress(
  db: Queryable,
  id: string,
  p: { done: number; found: number; at: string },
): Promise<{ cancelRequestedBy: string | null }> {
  await db
    .updateTable('discovery_sweep')
    .set({ done: p.done, found: p.found, progress_at: p.at })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute();
  const row = await db
    .selectFrom('discovery_sweep')
    .select(['cancel_requested_by', 'state'])
    .where('id', '=', id)
    .executeTakeFirst();
  // A sweep no longer running (marked failed as stale by another process) stops as well.
  if (row?.state !== 'running') return { cancelRequestedBy: row?.cancel_requested_by ?? 'system' };
  return { cancelRequestedBy: row.cancel_requested_by };
}

/** Marks a running sweep to be cancelled; false when it is not running. */
export async function requestSweepCancel(db: Queryable, id: string, by: string): Promise<boolean> {
  const r = await db
    .updateTable('discovery_sweep')
    .set({ cancel_requested_by: by })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return toNumber(r.numUpdatedRows) > 0;
}

/** Ends a running sweep; false when it had already ended. */
export async function finishSweep(
  db: Queryable,
  id: string,
  end: {
    state: 'completed' | 'failed' | 'cancelled';
    at: string;
    done: number;
    found: number;
    error: string | null;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('discovery_sweep')
    .set({
      state: end.state,
      finished_at: end.at,
      progress_at: end.at,
      done: end.done,
      found: end.found,
      error: end.error,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return toNumber(r.numUpdatedRows) > 0;
}

/** Running sweeps whose progress has not moved since `before` (their process is gone). */
export async function staleRunningSweeps(db: Queryable, before: string): Promise<SweepRow[]> {
  const rows = await db
    .selectFrom('discovery_sweep')
    .selectAll()
    .where('state', '=', 'running')
    .where('progress_at', '<', before)
    .execute();
  return rows.map((r) => checkRow('discovery_sweep', r.id, r));
}

export async function countRunningSweeps(db: Queryable): Promise<number> {
  const r = await db
    .selectFrom('discovery_sweep')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('state', '=', 'running')
    .executeTakeFirst();
  return toNumber(r?.n);
}

/** When the last scheduled sweep started, or undefined. */
export async function lastScheduledSweepAt(db: Queryable): Promise<string | undefined> {
  const r = await db
    .selectFrom('discovery_sweep')
    .select((eb) => eb.fn.max('started_at').as('at'))
    .where('trigger', '=', 'schedule')
    .executeTakeFirst();
  return r?.at ?? undefined;
}

/**
 * Records machines a sweep found: new ones with their first sighting, known ones with what
 * this sweep saw (first_seen_at kept; a MAC the neighbour table no longer shows is kept).
 */
export async function upsertMachines(
  db: Queryable,
  rows: readonly Insertable<DiscoveredMachineTable>[],
): Promise<void> {
  for (const row of rows) {
    await db
      .insertInto('discovered_machine')
      .values(row)
      .onConflict((oc) =>
        oc.column('address').doUpdateSet((eb) => ({
          mac: sql<
            string | null
          >`coalesce(${eb.ref('excluded.mac')}, ${eb.ref('discovered_machine.mac')})`,
          dns_name: eb.ref('excluded.dns_name'),
          open_ports: eb.ref('excluded.open_ports'),
          pingable: eb.ref('excluded.pingable'),
          ssh_banner: eb.ref('excluded.ssh_banner'),
          os_guess: eb.ref('excluded.os_guess'),
          last_seen_at: eb.ref('excluded.last_seen_at'),
          last_sweep_id: eb.ref('excluded.last_sweep_id'),
          // A link made by a successful push (the device may not report this address) is kept.
          device_id: sql<
            string | null
          >`coalesce(${eb.ref('excluded.device_id')}, ${eb.ref('discovered_machine.device_id')})`,
        })),
      )
      .execute();
  }
}

/** Sets the MAC addresses the neighbour table shows for machines of a sweep. */
export async function setMachineMacs(
  db: Queryable,
  sweepId: string,
  macs: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [address, mac] of macs)
    await db
      .updateTable('discovered_machine')
      .set({ mac })
      .where('address', '=', address)
      .where('last_sweep_id', '=', sweepId)
      .execute();
}

/** Addresses a sweep found (to look up in the neighbour table). */
export async function addressesFoundBy(db: Queryable, sweepId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('discovered_machine')
    .select('address')
    .where('last_sweep_id', '=', sweepId)
    .execute();
  return rows.map((r) => r.address);
}

/** A discovered machine (`m`) whose address, DNS name, MAC or OS guess contains the pattern. */
function machineMatches(pattern: string) {
  return [
    sql<boolean>`lower(m.address) like ${pattern} escape '\\'`,
    sql<boolean>`lower(coalesce(m.dns_name, '')) like ${pattern} escape '\\'`,
    sql<boolean>`lower(coalesce(m.mac, '')) like ${pattern} escape '\\'`,
    sql<boolean>`lower(coalesce(m.os_guess, '')) like ${pattern} escape '\\'`,
  ];
}

export interface MachineFilter {
  search?: string | undefined;
  hasAgent?: boolean | undefined;
  offset: number;
  limit: number;
}

/**
 * The discovered machines the list's filter matches, joined to their linked device (`d`): the
 * list and a bulk selection by filter (ADR 0040) both start here.
 */
export function matchingMachines(
  db: Queryable,
  f: { search?: string | undefined; hasAgent?: boolean | undefined },
) {
  let base = db
    .selectFrom('discovered_machine as m')
    .leftJoin(deviceNames(db).as('d'), 'd.id', 'm.device_id');
  if (f.search) {
    const pattern = containsPattern(f.search);
    base = base.where((eb) =>
      eb.or([
        ...machineMatches(pattern),
        sql<boolean>`lower(coalesce(d.name, '')) like ${pattern} escape '\\'`,
      ]),
    );
  }
  if (f.hasAgent === true) base = base.where('d.id', 'is not', null);
  if (f.hasAgent === false) base = base.where('d.id', 'is', null);
  return base;
}

/** Discovered machines by address, with the name of the device each is linked to. */
export async function listMachines(
  db: Queryable,
  f: MachineFilter,
): Promise<{ rows: MachineWithDevice[]; total: number }> {
  const base = matchingMachines(db, f);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base
    .selectAll('m')
    .select('d.name as device_name')
    .orderBy('m.address_key')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  return { rows, total: toNumber(total?.n) };
}

/**
 * Client push: discovered machines with no agent (no linked device that still exists), by
 * address or by the list's search.
 */
export async function machinesWithoutAgent(
  db: Queryable,
  f: { addresses?: readonly string[] | undefined; search?: string | undefined },
): Promise<string[]> {
  let q = db
    .selectFrom('discovered_machine as m')
    .leftJoin(deviceNames(db).as('d'), 'd.id', 'm.device_id')
    .select('m.address')
    .where('d.id', 'is', null);
  if (f.addresses) q = q.where('m.address', 'in', [...f.addresses]);
  if (f.search) {
    const pattern = containsPattern(f.search);
    q = q.where((eb) => eb.or(machineMatches(pattern)));
  }
  const rows = await q.orderBy('m.address_key').limit(5000).execute();
  return rows.map((r) => r.address);
}

/** Which of these addresses some sweep has found. */
export async function knownMachineAddresses(
  db: Queryable,
  addresses: readonly string[],
): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await db
    .selectFrom('discovered_machine')
    .select('address')
    .where('address', 'in', [...addresses])
    .execute();
  return new Set(rows.map((r) => r.address));
}

/** Client push succeeded at a discovered machine's address: it now has an agent (this device). */
export async function linkMachineToDevice(
  db: Queryable,
  l: { address: string; deviceId: string },
): Promise<void> {
  await db
    .updateTable('discovered_machine')
    .set({ device_id: l.deviceId })
    .where('address', '=', l.address)
    .execute();
}
