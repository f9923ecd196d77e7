import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { checkRow } from '../db/corrupt-row.js';

/** SQL of OS images (ADR 0017: SQL only here). */

export type OsImageRow = Selectable<Database['os_image']>;

const image = (r: OsImageRow) => checkRow('os_image', r.id, r);

export async function insertOsImage(
  db: Queryable,
  row: Insertable<Database['os_image']>,
): Promise<void> {
  await db.insertInto('os_image').values(row).execute();
}

export async function listOsImages(db: Queryable): Promise<OsImageRow[]> {
  const rows = await db
    .selectFrom('os_image')
    .selectAll()
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
  return rows.map(image);
}

/** By id; else the newest version of that name. */
export async function findOsImage(
  db: Queryable,
  idOrName: string,
): Promise<OsImageRow | undefined> {
  const rows = await db
    .selectFrom('os_image')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('version', 'desc')
    .execute();
  const row = rows.find((r) => r.id === idOrName) ?? rows[0];
  return row ? image(row) : undefined;
}

export async function nextOsImageVersion(db: Queryable, name: string): Promise<number> {
  const row = await db
    .selectFrom('os_image')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('name', '=', name)
    .executeTakeFirst();
  return toNumber(row?.v ?? 0) + 1;
}

export async function deleteOsImage(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('os_image').where('id', '=', id).execute();
}
