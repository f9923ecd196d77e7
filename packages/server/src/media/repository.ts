import { checkRow } from '../db/corrupt-row.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { MediaTables } from '../db/tables/media.js';

export type MediaRow = Selectable<MediaTables['media']>;

export async function insertMedia(db: Queryable, row: Insertable<MediaTables['media']>) {
  await db.insertInto('media').values(row).execute();
}

export async function updateMedia(
  db: Queryable,
  id: string,
  patch: Updateable<MediaTables['media']>,
): Promise<void> {
  await db.updateTable('media').set(patch).where('id', '=', id).execute();
}

const checked = (r: MediaRow): MediaRow => checkRow('media', r.id, r);

export async function listMedia(db: Queryable): Promise<MediaRow[]> {
  const rows = await db
    .selectFrom('media')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(checked);
}

/** Media by id, else by name. */
export async function findMedia(db: Queryable, idOrName: string): Promise<MediaRow | undefined> {
  const row =
    (await db.selectFrom('media').selectAll().where('id', '=', idOrName).executeTakeFirst()) ??
    (await db.selectFrom('media').selectAll().where('name', '=', idOrName).executeTakeFirst());
  return row ? checked(row) : undefined;
}

export async function mediaNameTaken(db: Queryable, name: string): Promise<boolean> {
  const row = await db.selectFrom('media').select('id').where('name', '=', name).executeTakeFirst();
  return row !== undefined;
}

export async function deleteMedia(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('media').where('id', '=', id).execute();
}

/** Media whose capture key has this SHA-256 (hex), if any (ADR 0107). */
export async function findMediaByCaptureKey(
  db: Queryable,
  keySha256: string,
): Promise<MediaRow | undefined> {
  const row = await db
    .selectFrom('media')
    .selectAll()
    .where('capture_key_sha256', '=', keySha256)
    .executeTakeFirst();
  return row ? checked(row) : undefined;
}
