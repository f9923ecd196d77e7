import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { DeviceSummary } from '@steward/protocol';
import type { DeviceActionTable, DeviceTable } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { memberIdsOf, memberIdsOfAny } from '../collections/membership-repository.js';
import type { SiteContext } from '../context.js';
import { currentSiteSettings } from '../site/site-settings.js';
import {
  activeDeviceSql,
  activityCutoffs,
  isDeviceActive,
  isDeviceObsolete,
  obsoleteDeviceSql,
  type ActivityCutoffs,
} from '../monitoring/activity-repository.js';
import { isDeviceOnline, onlineDeviceSql } from './presence-repository.js';

export type DeviceRow = Selectable<DeviceTable>;

/**
 * How recently a push presence must have been seen for a nudge to count as reaching a connected
 * device (the request is delivered on reconnect otherwise). Online itself is `isDeviceOnline`.
 */
export const ONLINE_WINDOW_MS = 90_000;

export function toDeviceSummary(row: DeviceRow, now: Date): DeviceSummary {
  return {
    id: row.id,
    name: row.name,
    osFamily: row.os_family,
    osName: row.os_name,
    osVersion: row.os_version,
    machineType: row.machine_type,
    cpuModel: row.cpu_model,
    memoryTotalMb: row.memory_total_mb,
    ipAddresses: row.ip_addresses ? row.ip_addresses.split(',') : [],
    lastLoggedOnUser: row.last_logged_on_user,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastPolicyRequestAt: row.last_policy_request_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    lastInventoryAt: row.last_inventory_at,
    lastStatusAt: row.last_status_at,
    lastHardwareInventoryAt: row.last_hardware_inventory_at,
    lastSoftwareInventoryAt: row.last_software_inventory_at,
    lastContactAt: row.last_contact_at,
    active: isDeviceActive(row, activityCutoffs(now, currentSiteSettings())),
    obsolete: row.revoked_at === null && isDeviceObsolete(row),
    obsoleteAt: row.obsolete_at,
    activityCheckedAt: row.activity_checked_at,
    activityCheckOutcome: row.activity_check_outcome,
    activityCheckDetail: row.activity_check_detail,
    online: isDeviceOnline(row, now),
    packageCount: row.package_count,
  };
}

/** Summaries of the given devices, in the order of `ids` (missing ids are skipped). */
export async function deviceSummariesByIds(
  ctx: SiteContext,
  ids: string[],
): Promise<DeviceSummary[]> {
  if (ids.length === 0) return [];
  const byId = new Map<string, DeviceRow>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.db.kysely
      .selectFrom('device')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) byId.set(r.id, r);
  }
  const now = ctx.clock.now();
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toDeviceSummary(row, now)] : [];
  });
}

export async function findDeviceByIdOrName(
  ctx: SiteContext,
  idOrName: string,
): Promise<DeviceRow | undefined> {
  const db = ctx.db.kysely;
  const byId = await db
    .selectFrom('device')
    .selectAll()
    .where('id', '=', idOrName)
    .executeTakeFirst();
  if (byId) return byId;
  // Names are not unique (re-imaged machines re-enrol): prefer the live, most recent one.
  return db
    .selectFrom('device')
    .selectAll()
    .where('name', '=', idOrName)
    .orderBy(sql`case when revoked_at is null then 0 else 1 end`)
    .orderBy('enrolled_at', 'desc')
    .executeTakeFirst();
}

/**
 * A new push request row for one device. It counts as connected when some server process
 * refreshed its push presence recently or this process holds its socket; otherwise it is
 * recorded as not connected and delivered when the device reconnects.
 */
export function newActionRow(
  device: { id: string; push_seen_at: string | null },
  request: { action: string; requestedBy: string; now: Date; heldHere: boolean },
): Insertable<DeviceActionTable> {
  const onlineSince = new Date(request.now.getTime() - ONLINE_WINDOW_MS).toISOString();
  const connected =
    (device.push_seen_at !== null && device.push_seen_at >= onlineSince) || request.heldHere;
  return {
    id: randomUUID(),
    device_id: device.id,
    action: request.action,
    requested_by: request.requestedBy,
    requested_at: request.now.toISOString(),
    delivered_at: null,
    completed_at: null,
    not_connected: connected ? 0 : 1,
  };
}

/** What the agent listener checks a device's key against. */
export function findDeviceCredentials(
  db: Queryable,
  deviceId: string,
): Promise<Pick<DeviceRow, 'key_hash' | 'revoked_at' | 'name'> | undefined> {
  return db
    .selectFrom('device')
    .select(['key_hash', 'revoked_at', 'name'])
    .where('id', '=', deviceId)
    .executeTakeFirst();
}

/** Which devices a list (or a bulk selection by filter) matches: the admin list's query, resolved. */
export interface DeviceMatch {
  search?: string | undefined;
  /** Members of this collection only (its id). */
  collectionId?: string | undefined;
  status?: 'active' | 'inactive' | 'revoked' | 'online' | 'obsolete' | undefined;
  cutoffs: ActivityCutoffs;
  /** When the list is read (the online rule's fallback window ends here). */
  now: Date;
}

/** How a device list is narrowed and ordered. */
export interface DeviceListFilter extends DeviceMatch {
  /** A device column, or an expression over the `device` row (an inventory property, ADR 0034). */
  sort: DeviceSortColumn | RawBuilder<unknown>;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export type DeviceSortColumn =
  | 'name'
  | 'os_name'
  | 'machine_type'
  | 'last_contact_at'
  | 'enrolled_at'
  | 'memory_total_mb'
  | 'last_logged_on_user'
  | 'ip_addresses'
  | 'agent_version'
  | 'last_inventory_at';

/** The devices a filter matches, as a query to select from: the list and bulk actions share it. */
export function matchingDevices(db: Queryable, f: DeviceMatch) {
  let base = db.selectFrom('device');
  if (f.search) {
    const pattern = containsPattern(f.search);
    base = base.where((eb) =>
      eb.or([
        sql<boolean>`lower(name) like ${pattern} escape '\\'`,
        sql<boolean>`lower(coalesce(os_name, '')) like ${pattern} escape '\\'`,
        sql<boolean>`lower(ip_addresses) like ${pattern} escape '\\'`,
        sql<boolean>`lower(coalesce(last_logged_on_user, '')) like ${pattern} escape '\\'`,
        eb('id', '=', f.search ?? ''),
      ]),
    );
  }
  if (f.collectionId !== undefined) {
    const collectionId = f.collectionId;
    base = base.where('id', 'in', memberIdsOf(db, collectionId));
  }
  switch (f.status) {
    case undefined:
      break;
    case 'active':
      base = base.where(activeDeviceSql(f.cutoffs));
      break;
    case 'inactive':
      // Obsolete devices are inactive too (they have their own filter as well).
      base = base
        .where('revoked_at', 'is', null)
        .where(sql<boolean>`not ${activeDeviceSql(f.cutoffs)}`);
      break;
    case 'obsolete':
      base = base.where('revoked_at', 'is', null).where(obsoleteDeviceSql());
      break;
    case 'revoked':
      base = base.where('revoked_at', 'is not', null);
      break;
    case 'online':
      base = base.where(onlineDeviceSql(f.now));
      break;
  }
  return base;
}

/** One page of devices and how many match in all. */
export async function listDeviceRows(
  db: Queryable,
  f: DeviceListFilter,
): Promise<{ rows: DeviceRow[]; total: number }> {
  const base = matchingDevices(db, f);
  const totalRow = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  // Nulls last in both dialects, then a stable tie-breaker so pages never overlap.
  const sortBy = typeof f.sort === 'string' ? sql.ref(`device.${f.sort}`) : f.sort;
  const rows = await base
    .selectAll()
    .orderBy(sql`case when ${sortBy} is null then 1 else 0 end`)
    .orderBy(sql`${sortBy}`, f.order)
    .orderBy('id')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  return { rows, total: toNumber(totalRow?.n) };
}

/** The live (not revoked) members of a collection, with what a push request needs. */
export function liveMembersOf(
  db: Queryable,
  collectionId: string,
): Promise<{ id: string; push_seen_at: string | null }[]> {
  return db
    .selectFrom('device')
    .select(['id', 'push_seen_at'])
    .where('id', 'in', memberIdsOf(db, collectionId))
    .where('revoked_at', 'is', null)
    .execute();
}

/** A device to nudge: its id and when its push connection was last seen. */
export interface PushTarget {
  id: string;
  push_seen_at: string | null;
}

/** Unrevoked devices that are members of any of these collections. */
export function liveMembersOfAny(
  db: Queryable,
  opts: { collectionIds: readonly string[] },
): Promise<PushTarget[]> {
  return db
    .selectFrom('device')
    .select(['id', 'push_seen_at'])
    .where('revoked_at', 'is', null)
    .where('id', 'in', memberIdsOfAny(db, opts.collectionIds))
    .execute();
}

/**
 * The devices online at `now` (ADR 0035), with what a push request needs; only members of any
 * of `collectionIds` when given.
 */
export function onlineDevices(
  db: Queryable,
  opts: { now: Date; collectionIds?: readonly string[] | undefined },
): Promise<PushTarget[]> {
  let q = db.selectFrom('device').select(['id', 'push_seen_at']).where(onlineDeviceSql(opts.now));
  if (opts.collectionIds !== undefined)
    q = q.where('id', 'in', memberIdsOfAny(db, opts.collectionIds));
  return q.execute();
}

/**
 * These devices, unless revoked (one statement; the caller chunks); only members of any of
 * `collectionIds` when given.
 */
export function liveDevices(
  db: Queryable,
  opts: { ids: readonly string[]; collectionIds?: readonly string[] | undefined },
): Promise<PushTarget[]> {
  let q = db
    .selectFrom('device')
    .select(['id', 'push_seen_at'])
    .where('id', 'in', [...opts.ids])
    .where('revoked_at', 'is', null);
  if (opts.collectionIds !== undefined)
    q = q.where('id', 'in', memberIdsOfAny(db, opts.collectionIds));
  return q.execute();
}

/** Which of these device ids exist (one statement; the caller chunks). */
export async function existingDeviceIds(
  db: Queryable,
  opts: { ids: readonly string[] },
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('device')
    .select('id')
    .where('id', 'in', [...opts.ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** When a device enrolled (undefined: no such device). */
export async function deviceEnrolledAt(
  db: Queryable,
  opts: { id: string },
): Promise<string | undefined> {
  const row = await db
    .selectFrom('device')
    .select('enrolled_at')
    .where('id', '=', opts.id)
    .executeTakeFirst();
  return row?.enrolled_at;
}

/**
 * Device ids and host names, as a derived table for other domains' statements
 * (`.innerJoin(deviceNames(db).as('v'), 'v.id', ...)`): one statement, and the device table
 * stays this domain's. Both databases flatten the subquery into the join.
 */
export function deviceNames(db: Queryable) {
  return db.selectFrom('device').select(['id', 'name']);
}

/**
 * Every enrolled (not revoked) device's id, host name and reported addresses: what network
 * discovery matches the machines it finds against.
 */
export async function enrolledDeviceAddresses(
  db: Queryable,
): Promise<{ id: string; name: string; addresses: string[] }[]> {
  const rows = await db
    .selectFrom('device')
    .select(['id', 'name', 'ip_addresses'])
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    addresses: r.ip_addresses ? r.ip_addresses.split(',') : [],
  }));
}

/** Ids of the devices whose host name contains `search` (any case), as a subquery. */
export function deviceIdsNamedLike(db: Queryable, search: string) {
  return db
    .selectFrom('device')
    .select('id')
    .where(sql<boolean>`lower(name) like ${containsPattern(search)} escape '\\'`);
}

export async function revokeDevice(
  db: Queryable,
  opts: { deviceId: string; at: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ revoked_at: opts.at })
    .where('id', '=', opts.deviceId)
    .execute();
}

/**
 * A device's report and inventory sequence numbers at the start of a report batch; on
 * PostgreSQL the row is locked (FOR UPDATE) so one batch per device is applied at a time.
 */
export async function lockReportSequences(
  db: Queryable,
  opts: { deviceId: string; dialect: 'sqlite' | 'postgres' },
): Promise<{ report_seq: string | number; inventory_seq: string | number } | undefined> {
  const lockSuffix = opts.dialect === 'postgres' ? sql` for update` : sql``;
  const r = await sql<{
    report_seq: string | number;
    inventory_seq: string | number;
  }>`select report_seq, inventory_seq from device where id = ${opts.deviceId}${lockSuffix}`.execute(
    db,
  );
  return r.rows[0];
}

/** What a stored report batch moves forward on its device. */
export async function recordReportBatch(
  db: Queryable,
  opts: {
    deviceId: string;
    reportSeq: number;
    inventorySeq: number;
    receivedAt: string;
    statusesReceived: boolean;
  },
): Promise<void> {
  await db
    .updateTable('device')
    .set({
      report_seq: opts.reportSeq,
      inventory_seq: opts.inventorySeq,
      last_contact_at: opts.receivedAt,
      ...(opts.statusesReceived ? { last_status_at: opts.receivedAt } : {}),
    })
    .where('id', '=', opts.deviceId)
    .execute();
}

/** True when the site wants a full inventory from the device next. */
export async function inventoryResyncWanted(db: Queryable, deviceId: string): Promise<boolean> {
  const after = await db
    .selectFrom('device')
    .select('inventory_resync')
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return (after?.inventory_resync ?? 0) === 1;
}

/**
 * Records what agents did (policy requests, heartbeats, push presence): the given columns, and
 * the last contact moved to `contact`, never backwards (a report ingested meanwhile may
 * already have written a later time).
 */
export async function recordDeviceActivity(
  db: Queryable,
  opts: { deviceId: string; set: Updateable<DeviceTable>; contact: string | undefined },
): Promise<void> {
  const { contact } = opts;
  await db
    .updateTable('device')
    .set({
      ...opts.set,
      ...(contact
        ? {
            last_contact_at: sql<string>`case when last_contact_at is null or last_contact_at < ${contact} then ${contact} else last_contact_at end`,
          }
        : {}),
    })
    .where('id', '=', opts.deviceId)
    .execute();
}

/** What applying an inventory report starts from: the device's package set and first report. */
export function inventoryStateOf(
  db: Queryable,
  deviceId: string,
): Promise<Pick<DeviceRow, 'package_set_id' | 'last_inventory_at'>> {
  return db
    .selectFrom('device')
    .select(['package_set_id', 'last_inventory_at'])
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
}

/** Sets columns of one device (an inventory report's summary columns, its package set). */
export async function updateDeviceColumns(
  db: Queryable,
  opts: { deviceId: string; update: Updateable<DeviceTable> },
): Promise<void> {
  await db.updateTable('device').set(opts.update).where('id', '=', opts.deviceId).execute();
}

/** What is known of a device when it enrols; everything else is learnt from its reports. */
export interface NewDevice {
  id: string;
  name: string;
  keyHash: string;
  enrolledAt: string;
  enrolmentTokenId: string | null;
  osFamily: string | null;
  agentVersion: string | null;
  /** The enrolment itself is contact; null only for rows made by hand (tests, imports). */
  lastContactAt: string | null;
}

/** Stores a newly enrolled device: one row shape for every caller, inventory columns empty. */
export async function insertDevice(db: Queryable, d: NewDevice): Promise<void> {
  const row: Insertable<DeviceTable> = {
    id: d.id,
    name: d.name,
    key_hash: d.keyHash,
    enrolled_at: d.enrolledAt,
    enrolment_token_id: d.enrolmentTokenId,
    revoked_at: null,
    os_family: d.osFamily,
    os_name: null,
    os_version: null,
    machine_type: null,
    cpu_model: null,
    memory_total_mb: null,
    ip_addresses: '',
    last_logged_on_user: null,
    agent_version: d.agentVersion,
    package_set_id: null,
    package_count: 0,
    inventory_resync: 0,
    policy_version: null,
    last_policy_request_at: null,
    last_heartbeat_at: null,
    last_inventory_at: null,
    last_status_at: null,
    last_hardware_inventory_at: null,
    last_software_inventory_at: null,
    obsolete_at: null,
    activity_checked_at: null,
    activity_check_outcome: null,
    activity_check_detail: null,
    last_contact_at: d.lastContactAt,
    push_seen_at: null,
  };
  await db.insertInto('device').values(row).execute();
}

/** Whether a device is enrolled and not revoked (content downloads ask on every file). */
export async function isEnrolledDevice(db: Queryable, deviceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('device')
    .select('revoked_at')
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return row !== undefined && row.revoked_at === null;
}

/** Client push: the device an enrolment token enrolled, once it has reported inventory. */
export function deviceEnrolledWithToken(
  db: Queryable,
  tokenId: string,
): Promise<Pick<DeviceRow, 'id' | 'name' | 'last_inventory_at'> | undefined> {
  return db
    .selectFrom('device')
    .select(['id', 'name', 'last_inventory_at'])
    .where('enrolment_token_id', '=', tokenId)
    .orderBy('enrolled_at', 'desc')
    .executeTakeFirst();
}

/** Client push: of these devices, those enrolled with one of these tokens (one query per event). */
export function devicesEnrolledWithTokens(
  db: Queryable,
  f: { deviceIds: readonly string[]; tokenIds: readonly string[] },
): Promise<Pick<DeviceRow, 'id' | 'name' | 'last_inventory_at' | 'enrolment_token_id'>[]> {
  if (f.deviceIds.length === 0 || f.tokenIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('device')
    .select(['id', 'name', 'last_inventory_at', 'enrolment_token_id'])
    .where('id', 'in', [...f.deviceIds])
    .where('enrolment_token_id', 'in', [...f.tokenIds])
    .execute();
}

/**
 * Client push: devices (not revoked) a host name or address may already be: the same name (or
 * its first label, `web1` for `web1.example.org`), or an address among those it reported.
 */
export async function devicesMatchingHost(
  db: Queryable,
  host: string,
): Promise<Pick<DeviceRow, 'id' | 'name'>[]> {
  const h = host.toLowerCase();
  const short = h.split('.')[0] ?? h;
  const isAddress = /^[0-9.]+$/.test(h) || h.includes(':');
  const rows = await db
    .selectFrom('device')
    .select(['id', 'name', 'ip_addresses'])
    .where('revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb(sql<string>`lower(name)`, '=', h),
        ...(isAddress ? [] : [eb(sql<string>`lower(name)`, '=', short)]),
        ...(isAddress ? [eb('ip_addresses', 'like', containsPattern(h))] : []),
      ]),
    )
    .limit(20)
    .execute();
  // `like` finds candidates; an exact address in the comma-separated list decides.
  return rows
    .filter(
      (r) => !isAddress || r.name.toLowerCase() === h || r.ip_addresses.split(',').includes(h),
    )
    .map((r) => ({ id: r.id, name: r.name }));
}

/** Client push to a collection: the names of these devices (not revoked). */
export async function deviceNamesByIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('device')
      .select('name')
      .where('id', 'in', ids.slice(i, i + 500))
      .where('revoked_at', 'is', null)
      .execute();
    names.push(...rows.map((r) => r.name));
  }
  return names;
}

/** What client deployment status reads of each live device (of a collection, or all of them). */
export type ClientStatusDeviceRow = Pick<
  DeviceRow,
  | 'id'
  | 'name'
  | 'agent_version'
  | 'enrolled_at'
  | 'last_contact_at'
  | 'revoked_at'
  | 'last_policy_request_at'
  | 'last_heartbeat_at'
  | 'last_hardware_inventory_at'
  | 'last_software_inventory_at'
  | 'last_status_at'
  | 'obsolete_at'
  | 'activity_checked_at'
  | 'activity_check_outcome'
>;

/**
 * The live devices of a collection (undefined: every live device), in one statement: the
 * client deployment dashboards compute 10,000 devices per request.
 */
export function clientStatusDevices(
  db: Queryable,
  opts: { collectionId: string | undefined },
): Promise<ClientStatusDeviceRow[]> {
  let q = db
    .selectFrom('device as d')
    .select([
      'd.id',
      'd.name',
      'd.agent_version',
      'd.enrolled_at',
      'd.last_contact_at',
      // What client activity reads (monitoring/activity-repository.ts).
      'd.revoked_at',
      'd.last_policy_request_at',
      'd.last_heartbeat_at',
      'd.last_hardware_inventory_at',
      'd.last_software_inventory_at',
      'd.last_status_at',
      'd.obsolete_at',
      'd.activity_checked_at',
      'd.activity_check_outcome',
    ])
    .where('d.revoked_at', 'is', null);
  if (opts.collectionId !== undefined)
    q = q.where('d.id', 'in', memberIdsOf(db, opts.collectionId));
  return q.orderBy('d.name').orderBy('d.id').execute();
}

/** The names of these devices (revoked ones too: a report names what failed), by id. */
export async function deviceNamesOf(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await deviceNames(db)
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  return names;
}
