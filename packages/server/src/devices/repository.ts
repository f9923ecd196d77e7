import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DeviceSummary } from '@steward/protocol';
import type { Database, DeviceActionTable, DeviceTable } from '../db/tables/index.js';
import type { SiteContext } from '../context.js';
import { activeThresholdDays } from '../site/site-settings.js';

export type DeviceRow = Selectable<DeviceTable>;

/** A push connection is refreshed every 30 s; a device is online while it was seen within this. */
export const ONLINE_WINDOW_MS = 90_000;

export function toDeviceSummary(row: DeviceRow, now: Date): DeviceSummary {
  const activeSince = new Date(now.getTime() - activeThresholdDays() * 86400_000).toISOString();
  const onlineSince = new Date(now.getTime() - ONLINE_WINDOW_MS).toISOString();
  return {
    id: row.id,
    name: row.name,
    osFamily: row.os_family,
    osName: row.os_name,
    osVersion: row.os_version,
    machineType: row.machine_type,
    cpuModel: row.cpu_model,
    memoryTotalMb: row.memory_total_mb === null ? null : Number(row.memory_total_mb),
    ipAddresses: row.ip_addresses ? row.ip_addresses.split(',') : [],
    lastLoggedOnUser: row.last_logged_on_user,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastPolicyRequestAt: row.last_policy_request_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    lastInventoryAt: row.last_inventory_at,
    lastStatusAt: row.last_status_at,
    lastContactAt: row.last_contact_at,
    active:
      row.revoked_at === null && row.last_contact_at !== null && row.last_contact_at >= activeSince,
    online: row.revoked_at === null && row.push_seen_at !== null && row.push_seen_at >= onlineSince,
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

/** Whether a device is enrolled and not revoked (content downloads ask on every file). */
export async function isEnrolledDevice(db: Kysely<Database>, deviceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('device')
    .select('revoked_at')
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return row !== undefined && row.revoked_at === null;
}
