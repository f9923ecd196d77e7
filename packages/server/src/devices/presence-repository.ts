import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../db/database.js';

/**
 * What "online" means (ADR 0035), once for every page, filter and count: the device holds an
 * open push channel to a running server process. Devices with no channel recorded since the
 * push-channel presence landed (rows older than it) fall back to the recent-contact rule: push
 * presence seen within this window.
 */
export const ONLINE_FALLBACK_WINDOW_MS = 90_000;

/** A server process whose heartbeat is older than this is gone: its channels are cleared. */
export const PROCESS_STALE_MS = 20_000;

/** The columns of a device the online rule reads. */
export interface PresenceColumns {
  revoked_at: string | null;
  push_session_id: string | null;
  push_closed_at: string | null;
  push_seen_at: string | null;
}

/** The oldest push presence the fallback rule still counts as online at `now`. */
export function onlineFallbackSince(now: Date): string {
  return new Date(now.getTime() - ONLINE_FALLBACK_WINDOW_MS).toISOString();
}

/** Whether a device is online at `now` (ADR 0035). */
export function isDeviceOnline(row: PresenceColumns, now: Date): boolean {
  if (row.revoked_at !== null) return false;
  if (row.push_session_id !== null) return true;
  return (
    row.push_closed_at === null &&
    row.push_seen_at !== null &&
    row.push_seen_at >= onlineFallbackSince(now)
  );
}

/** `isDeviceOnline` as SQL over the device table (unqualified columns); never NULL. */
export function onlineDeviceSql(now: Date): RawBuilder<boolean> {
  return sql<boolean>`(revoked_at is null and (push_session_id is not null
    or (push_closed_at is null and coalesce(push_seen_at, '') >= ${onlineFallbackSince(now)})))`;
}

/** The presence columns and last contact of these devices (what site-derived states read). */
export function presenceOf(
  db: Queryable,
  deviceIds: readonly string[],
): Promise<(PresenceColumns & { id: string; last_contact_at: string | null })[]> {
  if (deviceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('device')
    .select([
      'id',
      'revoked_at',
      'push_session_id',
      'push_closed_at',
      'push_seen_at',
      'last_contact_at',
    ])
    .where('id', 'in', [...deviceIds])
    .execute();
}

/** A push channel opened on process `processId` (recorded in the activity flush). */
export async function recordChannelOpened(
  db: Queryable,
  opts: { deviceId: string; processId: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ push_session_id: opts.processId, push_closed_at: null })
    .where('id', '=', opts.deviceId)
    .execute();
}

/**
 * A push channel held by `processId` closed. A channel the device opened meanwhile on another
 * process (a reconnect to a different server) is left alone.
 */
export async function recordChannelClosed(
  db: Queryable,
  opts: { deviceId: string; processId: string; at: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ push_session_id: null, push_closed_at: opts.at })
    .where('id', '=', opts.deviceId)
    .where('push_session_id', '=', opts.processId)
    .execute();
}

/** Registers a server process, or refreshes its heartbeat. Returns whether the row was there. */
export async function heartbeatProcess(
  db: Queryable,
  opts: { processId: string; at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('server_process')
    .set({ heartbeat_at: opts.at })
    .where('id', '=', opts.processId)
    .executeTakeFirst();
  if (r.numUpdatedRows > 0n) return true;
  await db
    .insertInto('server_process')
    .values({ id: opts.processId, started_at: opts.at, heartbeat_at: opts.at })
    .execute();
  return false;
}

/**
 * Forgets the server processes other than `keep` whose heartbeat is older than `staleBefore`
 * (undefined: every other one, for a SQLite site where only one process runs) and clears the
 * push channels they held. Returns how many devices went offline.
 */
export async function clearGoneProcesses(
  db: Queryable,
  opts: { keep: string; staleBefore: string | undefined; at: string },
): Promise<number> {
  let gone = db.selectFrom('server_process').select('id').where('id', '!=', opts.keep);
  if (opts.staleBefore !== undefined) gone = gone.where('heartbeat_at', '<', opts.staleBefore);
  const ids = (await gone.execute()).map((r) => r.id);
  // Channels recorded by a process whose row is already gone (a crash before its first
  // heartbeat was written is impossible, but a row deleted by hand is not) are cleared too.
  const r = await db
    .updateTable('device')
    .set({ push_session_id: null, push_closed_at: opts.at })
    .where('push_session_id', 'is not', null)
    .where('push_session_id', '!=', opts.keep)
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('push_session_id', 'in', ids)] : []),
        eb('push_session_id', 'not in', eb.selectFrom('server_process').select('id')),
      ]),
    )
    .executeTakeFirst();
  if (ids.length > 0) await db.deleteFrom('server_process').where('id', 'in', ids).execute();
  return Number(r.numUpdatedRows);
}

/** A process stopping: its channels close and its row goes. */
export async function releaseProcess(
  db: Queryable,
  opts: { processId: string; at: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ push_session_id: null, push_closed_at: opts.at })
    .where('push_session_id', '=', opts.processId)
    .execute();
  await db.deleteFrom('server_process').where('id', '=', opts.processId).execute();
}
