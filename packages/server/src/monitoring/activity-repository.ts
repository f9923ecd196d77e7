import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { ActivityCheckOutcome, SiteSettings } from '@steward/protocol';
import type { DeviceTable } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { memberIdsOf } from '../collections/membership-repository.js';
import { onlineDeviceSql } from '../devices/presence-repository.js';

/*
 * THE definition of client activity (issue 9, ADR 0029). Everything that says whether a device
 * is active, inactive or obsolete — device summaries, the device list's status filter, the
 * activity counts and snapshots, the reports, the client status dashboards — asks this module:
 * `activityCutoffs` (the five thresholds as instants), `isDeviceActive` (a row in memory) and
 * `activeDeviceSql` / `obsoleteDeviceSql` (the same predicates as SQL over the device table).
 */

const DAY_MS = 86400_000;

/** The instant after which each signal (and an answered ping) still keeps a device active. */
export interface ActivityCutoffs {
  policyRequest: string;
  heartbeat: string;
  hardwareInventory: string;
  softwareInventory: string;
  statusMessage: string;
}

/**
 * The cutoffs at `now` under the site's thresholds. `aheadMs` moves "now" forward: the devices
 * that are not active at `now + aheadMs` are those about to become inactive (what the activity
 * check looks at before it calls them inactive).
 */
export function activityCutoffs(
  now: Date,
  s: Pick<
    SiteSettings,
    | 'inactivePolicyRequestDays'
    | 'inactiveHeartbeatDays'
    | 'inactiveHardwareInventoryDays'
    | 'inactiveSoftwareInventoryDays'
    | 'inactiveStatusMessageDays'
  >,
  aheadMs = 0,
): ActivityCutoffs {
  const at = (days: number) => new Date(now.getTime() + aheadMs - days * DAY_MS).toISOString();
  return {
    policyRequest: at(s.inactivePolicyRequestDays),
    heartbeat: at(s.inactiveHeartbeatDays),
    hardwareInventory: at(s.inactiveHardwareInventoryDays),
    softwareInventory: at(s.inactiveSoftwareInventoryDays),
    statusMessage: at(s.inactiveStatusMessageDays),
  };
}

type ActivityColumns = Pick<
  Selectable<DeviceTable>,
  | 'revoked_at'
  | 'last_policy_request_at'
  | 'last_heartbeat_at'
  | 'last_hardware_inventory_at'
  | 'last_software_inventory_at'
  | 'last_status_at'
  | 'last_contact_at'
  | 'obsolete_at'
  | 'activity_checked_at'
  | 'activity_check_outcome'
>;

const atOrAfter = (value: string | null, cutoff: string) => value !== null && value >= cutoff;

/** Obsolete: marked by the activity job, and no contact since the mark. */
export function isDeviceObsolete(row: Pick<ActivityColumns, 'obsolete_at' | 'last_contact_at'>) {
  return (
    row.obsolete_at !== null &&
    (row.last_contact_at === null || row.last_contact_at <= row.obsolete_at)
  );
}

/**
 * Active: not revoked, not obsolete, and one of the five signals arrived within its own
 * threshold — or the device answered the site's push-channel ping within the heartbeat
 * threshold (an answer the site asked for counts as a heartbeat).
 */
export function isDeviceActive(row: ActivityColumns, c: ActivityCutoffs): boolean {
  if (row.revoked_at !== null || isDeviceObsolete(row)) return false;
  return (
    atOrAfter(row.last_policy_request_at, c.policyRequest) ||
    atOrAfter(row.last_heartbeat_at, c.heartbeat) ||
    atOrAfter(row.last_hardware_inventory_at, c.hardwareInventory) ||
    atOrAfter(row.last_software_inventory_at, c.softwareInventory) ||
    atOrAfter(row.last_status_at, c.statusMessage) ||
    (row.activity_check_outcome === 'ping-answered' &&
      atOrAfter(row.activity_checked_at, c.heartbeat))
  );
}

/** `isDeviceObsolete` as SQL over the device table (unqualified columns: alias it or not). */
export function obsoleteDeviceSql(): RawBuilder<boolean> {
  return sql<boolean>`(obsolete_at is not null and (last_contact_at is null or last_contact_at <= obsolete_at))`;
}

/**
 * `isDeviceActive` as SQL over the device table (unqualified columns). Every comparison is made
 * total (a missing time compares as the empty string, before any instant), so `not` of it is
 * exactly "inactive" and never NULL.
 */
export function activeDeviceSql(c: ActivityCutoffs): RawBuilder<boolean> {
  const since = (column: string, cutoff: string) =>
    sql`coalesce(${sql.ref(column)}, '') >= ${cutoff}`;
  return sql<boolean>`(revoked_at is null and not ${obsoleteDeviceSql()} and (
    ${since('last_policy_request_at', c.policyRequest)}
    or ${since('last_heartbeat_at', c.heartbeat)}
    or ${since('last_hardware_inventory_at', c.hardwareInventory)}
    or ${since('last_software_inventory_at', c.softwareInventory)}
    or ${since('last_status_at', c.statusMessage)}
    or (coalesce(activity_check_outcome, '') = 'ping-answered'
        and ${since('activity_checked_at', c.heartbeat)})))`;
}

/** Counts of live devices by activity (client activity, its snapshots). */
export interface DeviceActivityCounts {
  /** Live devices, obsolete ones not included. */
  total: number;
  active: number;
  obsolete: number;
  never: number;
  online: number;
  policyRequest: number;
  heartbeat: number;
  hardwareInventory: number;
  softwareInventory: number;
  statusMessage: number;
}

/**
 * Client activity counts over the live devices, or the live members of one collection
 * (`collectionId`; undefined: every live device, even before the first collection evaluation).
 */
export async function deviceActivityCounts(
  db: Queryable,
  opts: { collectionId: string | undefined; cutoffs: ActivityCutoffs; now: Date },
): Promise<DeviceActivityCounts> {
  const { cutoffs: c, now, collectionId } = opts;
  let q = db.selectFrom('device').where('revoked_at', 'is', null);
  if (collectionId !== undefined) q = q.where('id', 'in', memberIdsOf(db, collectionId));
  const live = sql`not ${obsoleteDeviceSql()}`;
  const count = (cond: RawBuilder<unknown>) =>
    sql<number>`sum(case when ${live} and ${cond} then 1 else 0 end)`;
  const row = await q
    .select([
      count(sql`1 = 1`).as('total'),
      count(activeDeviceSql(c)).as('active'),
      sql<number>`sum(case when ${obsoleteDeviceSql()} then 1 else 0 end)`.as('obsolete'),
      count(sql`last_inventory_at is null and last_status_at is null`).as('never'),
      count(onlineDeviceSql(now)).as('online'),
      count(sql`last_policy_request_at >= ${c.policyRequest}`).as('policyRequest'),
      count(sql`last_heartbeat_at >= ${c.heartbeat}`).as('heartbeat'),
      count(sql`last_hardware_inventory_at >= ${c.hardwareInventory}`).as('hardwareInventory'),
      count(sql`last_software_inventory_at >= ${c.softwareInventory}`).as('softwareInventory'),
      count(sql`last_status_at >= ${c.statusMessage}`).as('statusMessage'),
    ])
    .executeTakeFirst();
  return {
    total: toNumber(row?.total),
    active: toNumber(row?.active),
    obsolete: toNumber(row?.obsolete),
    never: toNumber(row?.never),
    online: toNumber(row?.online),
    policyRequest: toNumber(row?.policyRequest),
    heartbeat: toNumber(row?.heartbeat),
    hardwareInventory: toNumber(row?.hardwareInventory),
    softwareInventory: toNumber(row?.softwareInventory),
    statusMessage: toNumber(row?.statusMessage),
  };
}

/** A live, not obsolete device the activity check looks at, with what it needs. */
export interface QuietDevice {
  id: string;
  name: string;
  ip_addresses: string;
  revoked_at: string | null;
  push_seen_at: string | null;
  push_session_id: string | null;
  push_closed_at: string | null;
}

/**
 * Live, not obsolete devices that are not active at the cutoffs given (computed a little ahead,
 * so they are checked before they cross) and were not checked since `checkedBefore`.
 */
export function quietDevices(
  db: Queryable,
  opts: { cutoffs: ActivityCutoffs; checkedBefore: string; limit: number },
): Promise<QuietDevice[]> {
  return db
    .selectFrom('device')
    .select([
      'id',
      'name',
      'ip_addresses',
      'revoked_at',
      'push_seen_at',
      'push_session_id',
      'push_closed_at',
    ])
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`not ${obsoleteDeviceSql()}`)
    .where(sql<boolean>`not ${activeDeviceSql(opts.cutoffs)}`)
    .where((eb) =>
      eb.or([
        eb('activity_checked_at', 'is', null),
        eb('activity_checked_at', '<', opts.checkedBefore),
      ]),
    )
    .orderBy('id')
    .limit(opts.limit)
    .execute();
}

/** Which of these devices' push presence was refreshed at or after `since` (a ping's answer). */
export async function pushSeenSince(
  db: Queryable,
  opts: { ids: readonly string[]; since: string },
): Promise<Set<string>> {
  if (opts.ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('device')
    .select('id')
    .where('id', 'in', [...opts.ids])
    .where('push_seen_at', '>=', opts.since)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Records what the site's activity check found on one device. */
export async function recordActivityCheck(
  db: Queryable,
  opts: { deviceId: string; at: string; outcome: ActivityCheckOutcome; detail: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({
      activity_checked_at: opts.at,
      activity_check_outcome: opts.outcome,
      activity_check_detail: opts.detail,
    })
    .where('id', '=', opts.deviceId)
    .execute();
}

/**
 * Live devices with no heartbeat since `before` (never: enrolled before it), and no contact of
 * any kind since then either (a device that reconnected is "reporting again", so marking it
 * would only flap), not active by the definition above, not yet marked: the ones to mark
 * obsolete.
 */
export function devicesBecomingObsolete(
  db: Queryable,
  opts: { before: string; cutoffs: ActivityCutoffs },
): Promise<{ id: string; name: string; last_heartbeat_at: string | null }[]> {
  return db
    .selectFrom('device')
    .select(['id', 'name', 'last_heartbeat_at'])
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`not ${obsoleteDeviceSql()}`)
    .where(sql<boolean>`not ${activeDeviceSql(opts.cutoffs)}`)
    .where(sql<boolean>`coalesce(last_heartbeat_at, enrolled_at) < ${opts.before}`)
    .where(sql<boolean>`coalesce(last_contact_at, enrolled_at) < ${opts.before}`)
    .execute();
}

export async function markObsolete(
  db: Queryable,
  opts: { deviceId: string; at: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ obsolete_at: opts.at })
    .where('id', '=', opts.deviceId)
    .execute();
}

/** Devices whose obsolete mark is stale: they made contact after it. */
export function devicesReportingAgain(
  db: Queryable,
): Promise<{ id: string; name: string; last_contact_at: string | null }[]> {
  return db
    .selectFrom('device')
    .select(['id', 'name', 'last_contact_at'])
    .where('obsolete_at', 'is not', null)
    .where(sql<boolean>`not ${obsoleteDeviceSql()}`)
    .execute();
}

export async function clearObsolete(db: Queryable, deviceId: string): Promise<void> {
  await db.updateTable('device').set({ obsolete_at: null }).where('id', '=', deviceId).execute();
}

/** Obsolete devices (marked, no contact since), the ones a removal deletes. */
export function obsoleteDevices(
  db: Queryable,
): Promise<{ id: string; name: string; last_heartbeat_at: string | null }[]> {
  return db
    .selectFrom('device')
    .select(['id', 'name', 'last_heartbeat_at'])
    .where('revoked_at', 'is', null)
    .where(obsoleteDeviceSql())
    .execute();
}

/**
 * Deletes a device row. Every table that references the device cascades (inventory, inventory
 * history, collection memberships, push requests, deployment states and reruns, client check
 * runs and states, agent upgrade attempts); status messages keep their device id as history.
 */
export async function deleteDevice(db: Queryable, deviceId: string): Promise<void> {
  await db.deleteFrom('device').where('id', '=', deviceId).execute();
}

/** Report "inactive clients": live devices not active at the cutoffs, quietest first. */
export function inactiveDevices(
  db: Queryable,
  opts: { collectionId: string | undefined; cutoffs: ActivityCutoffs; limit: number },
) {
  let q = db
    .selectFrom('device')
    .select([
      'id',
      'name',
      'last_policy_request_at',
      'last_heartbeat_at',
      'last_hardware_inventory_at',
      'last_software_inventory_at',
      'last_status_at',
      'activity_checked_at',
      'activity_check_outcome',
      'activity_check_detail',
      'obsolete_at',
      'last_contact_at',
    ])
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`not ${activeDeviceSql(opts.cutoffs)}`);
  if (opts.collectionId !== undefined) q = q.where('id', 'in', memberIdsOf(db, opts.collectionId));
  return q.orderBy('last_contact_at').orderBy('name').orderBy('id').limit(opts.limit).execute();
}

/**
 * Report "inventory not run within its schedule": live, not obsolete devices whose last hardware
 * inventory is older than `before` (the shortest interval any device can have) or missing.
 */
export function inventoryCandidates(
  db: Queryable,
  opts: { collectionId: string | undefined; before: string; limit: number },
) {
  let q = db
    .selectFrom('device')
    .select(['id', 'name', 'enrolled_at', 'last_hardware_inventory_at'])
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`not ${obsoleteDeviceSql()}`)
    .where((eb) =>
      eb.or([
        eb('last_hardware_inventory_at', 'is', null),
        eb('last_hardware_inventory_at', '<', opts.before),
      ]),
    );
  if (opts.collectionId !== undefined) q = q.where('id', 'in', memberIdsOf(db, opts.collectionId));
  return q.orderBy('last_hardware_inventory_at').orderBy('id').limit(opts.limit).execute();
}
