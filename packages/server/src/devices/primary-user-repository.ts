import type { PrimaryUser, PrimaryUserSource } from '@steward/protocol';
import type { Queryable } from '../db/database.js';

/** A device's primary users, the administrator's first, then by name. */
export async function primaryUsersOf(db: Queryable, deviceId: string): Promise<PrimaryUser[]> {
  const rows = await db
    .selectFrom('device_primary_user')
    .select(['user_name', 'source', 'set_at', 'set_by'])
    .where('device_id', '=', deviceId)
    .execute();
  // Sorted here: the databases' collations order names differently.
  const key = (r: (typeof rows)[number]) => `${r.source}\u0000${r.user_name}`;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return rows.map((r) => ({
    userName: r.user_name,
    source: r.source,
    setAt: r.set_at,
    setBy: r.set_by,
  }));
}

/** Replaces one source's primary users of a device (the other source's stay). */
export async function replacePrimaryUsers(
  db: Queryable,
  deviceId: string,
  source: PrimaryUserSource,
  users: readonly string[],
  by: { at: string; setBy: string },
): Promise<void> {
  await db
    .deleteFrom('device_primary_user')
    .where('device_id', '=', deviceId)
    .where('source', '=', source)
    .execute();
  const names = [...new Set(users)];
  if (names.length === 0) return;
  await db
    .insertInto('device_primary_user')
    .values(
      names.map((user_name) => ({
        device_id: deviceId,
        user_name,
        source,
        set_at: by.at,
        set_by: by.setBy,
      })),
    )
    .execute();
}
