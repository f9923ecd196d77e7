import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';
import { checkRow } from '../db/corrupt-row.js';

/** SQL of OS image builds (ADR 0017: SQL only here). */

type Table = Database['os_image_build'];
export type OsImageBuildRow = Selectable<Table>;

const checked = (r: OsImageBuildRow) => checkRow('os_image_build', r.id, r);

export async function insertOsImageBuild(db: Queryable, row: Insertable<Table>): Promise<void> {
  await db.insertInto('os_image_build').values(row).execute();
}

export async function updateOsImageBuild(
  db: Queryable,
  id: string,
  patch: Updateable<Table>,
): Promise<void> {
  await db.updateTable('os_image_build').set(patch).where('id', '=', id).execute();
}

export async function listOsImageBuilds(db: Queryable): Promise<OsImageBuildRow[]> {
  const rows = await db
    .selectFrom('os_image_build')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(checked);
}

export async function findOsImageBuild(
  db: Queryable,
  id: string,
): Promise<OsImageBuildRow | undefined> {
  const row = await db
    .selectFrom('os_image_build')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? checked(row) : undefined;
}

/** A build of `name` whose heartbeat is newer than `since` (one still running somewhere). */
export async function runningOsImageBuild(
  db: Queryable,
  name: string,
  since: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('os_image_build')
    .select('id')
    .where('name', '=', name)
    .where('status', '=', 'building')
    .where('heartbeat_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}
