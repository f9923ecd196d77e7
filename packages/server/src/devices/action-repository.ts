import type { Insertable, Selectable } from 'kysely';
import type { DeviceActionTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

export type DeviceActionRow = Selectable<DeviceActionTable>;

const INSERT_CHUNK = 500;

/** Records push requests (client notifications), a chunk of rows per statement. */
export async function insertDeviceActions(
  db: Queryable,
  rows: readonly Insertable<DeviceActionTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await db
      .insertInto('device_action')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
}

export function findDeviceAction(db: Queryable, id: string): Promise<DeviceActionRow> {
  return db.selectFrom('device_action').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A device's newest push requests (100). */
export function recentActionsOf(db: Queryable, deviceId: string): Promise<DeviceActionRow[]> {
  return db
    .selectFrom('device_action')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('requested_at', 'desc')
    .limit(100)
    .execute();
}

/** Requests the device reported done (its NUDGE_COMPLETED message names them). */
export async function completeDeviceActions(
  db: Queryable,
  opts: { deviceId: string; requestIds: readonly string[]; at: string },
): Promise<void> {
  await db
    .updateTable('device_action')
    .set({ completed_at: opts.at })
    .where('device_id', '=', opts.deviceId)
    .where('id', 'in', opts.requestIds)
    .where('completed_at', 'is', null)
    .execute();
}

/** Requests sent down a push channel, 500 per statement. */
export async function markActionsDelivered(
  db: Queryable,
  opts: { ids: readonly string[]; at: string },
): Promise<void> {
  for (let i = 0; i < opts.ids.length; i += 500) {
    await db
      .updateTable('device_action')
      .set({ delivered_at: opts.at, not_connected: 0 })
      .where('id', 'in', opts.ids.slice(i, i + 500))
      .execute();
  }
}

/** Requests made for a device since `since` and not delivered yet (replayed when it connects). */
export function undeliveredActions(
  db: Queryable,
  opts: { deviceId: string; since: string },
): Promise<{ id: string; action: string }[]> {
  return db
    .selectFrom('device_action')
    .select(['id', 'action'])
    .where('device_id', '=', opts.deviceId)
    .where('delivered_at', 'is', null)
    .where('requested_at', '>=', opts.since)
    .execute();
}
