import { sql } from 'kysely';
import {
  SCAN_OVERDUE_DAYS,
  type ComplianceListState,
  type DeviceUpdateCompliance,
  type ScanAuditEntry,
  type ScanAuditState,
  type UpdateComplianceCounts,
  type UpdateComplianceState,
  type UpdateHoldReason,
  type UpdateScanKind,
} from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { devicesPerPackageSet } from '../../inventory/package-set-repository.js';
import { currentCatalogVersion } from './catalog-version-repository.js';

/**
 * Compliance reads (SQL of the compliance area only). A device's answer comes from its own scan
 * when it scanned the current catalog successfully, and from its package set's applicability
 * otherwise (ADR 0047); a device with neither a current scan nor an inventoried package set is
 * unknown.
 */

const STATES: readonly UpdateComplianceState[] = [
  'installed',
  'required',
  'not-required',
  'unknown',
];
const HOLDS: readonly UpdateHoldReason[] = ['held', 'pinned'];
const KINDS: readonly UpdateScanKind[] = ['scheduled', 'on-demand', 'expedited'];
const AUDIT: readonly ScanAuditState[] = ['current', 'never', 'stale-catalog', 'overdue', 'failed'];

function oneOf<T extends string>(values: readonly T[], v: unknown, what: string): T {
  const found = values.find((x) => x === v);
  if (found === undefined) throw new Error(`corrupt ${what}: ${String(v)}`);
  return found;
}
const holdOf = (v: unknown) => (v === null || v === undefined ? null : oneOf(HOLDS, v, 'hold'));
const textOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/** Per device (not revoked), its state for update `updateId`, and where the answer came from. */
function deviceStates(db: Queryable, updateId: string, cv: number) {
  const scanned = sql<boolean>`(s.state = 'succeeded' and s.catalog_version = ${cv})`;
  return db
    .selectFrom('device as d')
    .leftJoin('update_scan as s', 's.device_id', 'd.id')
    .leftJoin('update_compliance as c', (j) =>
      j.onRef('c.device_id', '=', 'd.id').on('c.update_id', '=', updateId),
    )
    .leftJoin('update_applicability as a', (j) =>
      j.onRef('a.set_id', '=', 'd.package_set_id').on('a.update_id', '=', updateId),
    )
    .where('d.revoked_at', 'is', null)
    .select([
      'd.id as device_id',
      'd.name as device_name',
      sql<string>`case when ${scanned} then coalesce(c.state, 'not-required')
        when d.package_set_id is null then 'unknown'
        else coalesce(a.state, 'not-required') end`.as('state'),
      sql<string | null>`case when ${scanned} then c.hold else null end`.as('hold'),
      sql<string>`case when ${scanned} then 'scan' else 'inventory' end`.as('basis'),
      sql<string | null>`case when ${scanned} then c.installed_at else null end`.as('installed_at'),
      sql<string | null>`case when ${scanned} then c.first_detected_at else null end`.as(
        'first_detected_at',
      ),
      's.finished_at as scanned_at',
    ]);
}

/**
 * The counts of one update, read per package set rather than per device (ADR 0064, ADR 0075):
 * devices that scanned the current catalog count by their own answers (a join over those devices
 * only), every other device by its set's applicability times the set's device count (kept by the
 * database), so the work is the number of sets plus the scanned devices, not the fleet. The same
 * answers as deviceStates, which lists the devices; run it in one transaction so the reads see
 * one state.
 */
export async function complianceCounts(
  db: Queryable,
  updateId: string,
): Promise<{ catalogVersion: number; counts: UpdateComplianceCounts }> {
  const cv = await currentCatalogVersion(db);
  const counts = { installed: 0, required: 0, held: 0, pinned: 0, notRequired: 0, unknown: 0 };
  const add = (stateValue: unknown, holdValue: unknown, n: number) => {
    const state = oneOf(STATES, stateValue, 'compliance state');
    const hold = holdOf(holdValue);
    if (state === 'required' && hold !== null) counts[hold] += n;
    else if (state === 'not-required') counts.notRequired += n;
    else counts[state] += n;
  };
  const scanned = await db
    .selectFrom('update_scan as s')
    .innerJoin('device as d', 'd.id', 's.device_id')
    .leftJoin('update_compliance as c', (j) =>
      j.onRef('c.device_id', '=', 's.device_id').on('c.update_id', '=', updateId),
    )
    .where('s.state', '=', 'succeeded')
    .where('s.catalog_version', '=', cv)
    .where('d.revoked_at', 'is', null)
    .select([
      'd.package_set_id',
      'c.state',
      'c.hold',
      (eb) => eb.fn.countAll<number | string>().as('n'),
    ])
    .groupBy(['d.package_set_id', 'c.state', 'c.hold'])
    .execute();
  const scannedInSet = new Map<string | null, number>();
  for (const r of scanned) {
    add(r.state ?? 'not-required', r.hold, Number(r.n));
    scannedInSet.set(r.package_set_id, (scannedInSet.get(r.package_set_id) ?? 0) + Number(r.n));
  }
  const { perSet, withoutSet } = await devicesPerPackageSet(db);
  const applicable = new Map(
    (
      await db
        .selectFrom('update_applicability')
        .select(['set_id', 'state'])
        .where('update_id', '=', updateId)
        .execute()
    ).map((r) => [r.set_id, r.state]),
  );
  for (const [setId, devices] of perSet) {
    const n = devices - (scannedInSet.get(setId) ?? 0);
    if (n > 0) add(applicable.get(setId) ?? 'not-required', null, n);
  }
  const unknown = withoutSet - (scannedInSet.get(null) ?? 0);
  if (unknown > 0) add('unknown', null, unknown);
  return { catalogVersion: cv, counts };
}

export async function updateDevicePage(
  db: Queryable,
  update: { id: string; package: string; version: string },
  q: { state?: ComplianceListState; offset: number; limit: number },
): Promise<{ items: DeviceUpdateCompliance[]; total: number }> {
  const cv = await currentCatalogVersion(db);
  let base = db.selectFrom(deviceStates(db, update.id, cv).as('x'));
  const s = q.state;
  if (s === 'held' || s === 'pinned')
    base = base.where('x.state', '=', 'required').where('x.hold', '=', s);
  else if (s === 'required')
    base = base.where('x.state', '=', 'required').where('x.hold', 'is', null);
  else if (s !== undefined) base = base.where('x.state', '=', s);
  const total = await base
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const rows = await base
    .selectAll('x')
    .orderBy('x.device_name')
    .orderBy('x.device_id')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return {
    total: Number(total?.n ?? 0),
    items: rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.device_name,
      updateId: update.id,
      package: update.package,
      version: update.version,
      state: oneOf(STATES, r.state, 'compliance state'),
      hold: holdOf(r.hold),
      basis: r.basis === 'scan' ? 'scan' : 'inventory',
      installedAt: textOrNull(r.installed_at),
      firstDetectedAt: textOrNull(r.first_detected_at),
      scannedAt: textOrNull(r.scanned_at),
    })),
  };
}

/** One device's updates that are installed, required or unknown (not-required ones are many). */
export async function deviceUpdatePage(
  db: Queryable,
  device: { id: string; name: string; package_set_id: string | null },
  q: { state?: ComplianceListState; offset: number; limit: number },
): Promise<{ items: DeviceUpdateCompliance[]; total: number }> {
  const cv = await currentCatalogVersion(db);
  const scan = await db
    .selectFrom('update_scan')
    .select(['state', 'catalog_version', 'finished_at'])
    .where('device_id', '=', device.id)
    .executeTakeFirst();
  const byScan = scan?.state === 'succeeded' && scan.catalog_version === cv;
  const s = q.state;
  if (byScan) {
    let base = db
      .selectFrom('update_compliance as c')
      .innerJoin('software_update as u', 'u.id', 'c.update_id')
      .where('c.device_id', '=', device.id);
    if (s === 'held' || s === 'pinned')
      base = base.where('c.state', '=', 'required').where('c.hold', '=', s);
    else if (s === 'required')
      base = base.where('c.state', '=', 'required').where('c.hold', 'is', null);
    else if (s !== undefined) base = base.where('c.state', '=', s);
    const total = await base
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    const rows = await base
      .select([
        'c.update_id',
        'u.package',
        'u.version',
        'c.state',
        'c.hold',
        'c.installed_at',
        'c.first_detected_at',
      ])
      .orderBy('u.package')
      .orderBy('u.version_key')
      .offset(q.offset)
      .limit(q.limit)
      .execute();
    return {
      total: Number(total?.n ?? 0),
      items: rows.map((r) => ({
        deviceId: device.id,
        deviceName: device.name,
        updateId: r.update_id,
        package: r.package,
        version: r.version,
        state: r.state,
        hold: r.hold,
        basis: 'scan',
        installedAt: r.installed_at,
        firstDetectedAt: r.first_detected_at,
        scannedAt: scan.finished_at,
      })),
    };
  }
  if (device.package_set_id === null || s === 'held' || s === 'pinned' || s === 'unknown')
    return { items: [], total: 0 };
  let base = db
    .selectFrom('update_applicability as a')
    .innerJoin('software_update as u', 'u.id', 'a.update_id')
    .where('a.set_id', '=', device.package_set_id);
  if (s === 'installed' || s === 'required') base = base.where('a.state', '=', s);
  else if (s === 'not-required') return { items: [], total: 0 };
  const total = await base
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const rows = await base
    .select(['a.update_id', 'u.package', 'u.version', 'a.state'])
    .orderBy('u.package')
    .orderBy('u.version_key')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return {
    total: Number(total?.n ?? 0),
    items: rows.map((r) => ({
      deviceId: device.id,
      deviceName: device.name,
      updateId: r.update_id,
      package: r.package,
      version: r.version,
      state: r.state,
      hold: null,
      basis: 'inventory',
      installedAt: null,
      firstDetectedAt: null,
      scannedAt: scan?.finished_at ?? null,
    })),
  };
}

/** Scan audit: every device (not revoked) with its latest scan judged against the catalog. */
export async function scanAuditPage(
  db: Queryable,
  now: Date,
  q: { state?: ScanAuditState; deviceId?: string; offset: number; limit: number },
): Promise<{ items: ScanAuditEntry[]; total: number }> {
  const cv = await currentCatalogVersion(db);
  const overdueBefore = new Date(now.getTime() - SCAN_OVERDUE_DAYS * 86_400_000).toISOString();
  const inner = db
    .selectFrom('device as d')
    .leftJoin('update_scan as s', 's.device_id', 'd.id')
    .where('d.revoked_at', 'is', null)
    .select([
      'd.id as device_id',
      'd.name as device_name',
      's.catalog_version',
      's.kind',
      's.finished_at',
      's.error',
      sql<string>`case when s.device_id is null then 'never'
        when s.state = 'failed' then 'failed'
        when s.catalog_version < ${cv} then 'stale-catalog'
        when s.finished_at < ${overdueBefore} then 'overdue'
        else 'current' end`.as('audit'),
    ]);
  let base = db.selectFrom(inner.as('x'));
  if (q.state !== undefined) base = base.where('x.audit', '=', q.state);
  if (q.deviceId !== undefined) base = base.where('x.device_id', '=', q.deviceId);
  const total = await base
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const rows = await base
    .selectAll('x')
    .orderBy('x.device_name')
    .orderBy('x.device_id')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return {
    total: Number(total?.n ?? 0),
    items: rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.device_name,
      state: oneOf(AUDIT, r.audit, 'audit state'),
      catalogVersion: r.catalog_version,
      currentCatalogVersion: cv,
      kind: r.kind === null ? null : oneOf(KINDS, r.kind, 'scan kind'),
      scannedAt: r.finished_at,
      error: r.error,
    })),
  };
}

export function findUpdateBrief(db: Queryable, id: string) {
  return db
    .selectFrom('software_update')
    .select(['id', 'package', 'version'])
    .where('id', '=', id)
    .executeTakeFirst();
}
