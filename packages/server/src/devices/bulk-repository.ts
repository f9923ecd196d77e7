import type { Selectable } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { DeviceTable } from '../db/tables/index.js';
import { matchingDevices, type DeviceMatch } from './repository.js';

/** What a bulk action needs of each device it acts on. */
export type BulkTarget = Pick<
  Selectable<DeviceTable>,
  'id' | 'name' | 'revoked_at' | 'push_seen_at'
>;

/**
 * Every device a filter matches (the list's own query, unpaged), up to `limit` rows: a bulk
 * selection by filter, resolved in one statement.
 */
export function bulkTargetsMatching(
  db: Queryable,
  opts: { match: DeviceMatch; limit: number },
): Promise<BulkTarget[]> {
  return matchingDevices(db, opts.match)
    .select(['id', 'name', 'revoked_at', 'push_seen_at'])
    .orderBy('name')
    .orderBy('id')
    .limit(opts.limit)
    .execute();
}

/** These devices (one statement; the caller chunks). */
export function bulkTargetsByIds(
  db: Queryable,
  opts: { ids: readonly string[] },
): Promise<BulkTarget[]> {
  return db
    .selectFrom('device')
    .select(['id', 'name', 'revoked_at', 'push_seen_at'])
    .where('id', 'in', [...opts.ids])
    .execute();
}

/** Revokes these devices (one statement; the caller chunks). */
export async function revokeDevices(
  db: Queryable,
  opts: { ids: readonly string[]; at: string },
): Promise<void> {
  await db
    .updateTable('device')
    .set({ revoked_at: opts.at })
    .where('id', 'in', [...opts.ids])
    .where('revoked_at', 'is', null)
    .execute();
}
