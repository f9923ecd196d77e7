import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { checkRow } from '../db/corrupt-row.js';

/** Upgrade packages' SQL (issue 11, ADR 0102). */
export type UpgradePackageRow = Selectable<Database['upgrade_package']>;

export async function insertUpgradePackage(
  db: Queryable,
  row: Insertable<Database['upgrade_package']>,
): Promise<void> {
  await db.insertInto('upgrade_package').values(row).execute();
}

export async function updateUpgradePackage(
  db: Queryable,
  id: string,
  patch: Updateable<Database['upgrade_package']>,
): Promise<void> {
  await db.updateTable('upgrade_package').set(patch).where('id', '=', id).execute();
}

export async function deleteUpgradePackage(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('upgrade_package').where('id', '=', id).execute();
}

/** An upgrade package by id, else by exact name (an id always wins). */
export async function findUpgradePackage(
  db: Queryable,
  idOrName: string,
): Promise<UpgradePackageRow | undefined> {
  const row =
    (await db
      .selectFrom('upgrade_package')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    (await db
      .selectFrom('upgrade_package')
      .selectAll()
      .where('name', '=', idOrName)
      .executeTakeFirst());
  return row && checkRow('upgrade_package', row.id, row);
}

/** Several by id (the packages a deployed sequence names). */
export async function upgradePackagesById(
  db: Queryable,
  ids: readonly string[],
): Promise<UpgradePackageRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('upgrade_package')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return rows.map((r) => checkRow('upgrade_package', r.id, r));
}

export async function listUpgradePackages(
  db: Queryable,
  opts: { search?: string; offset: number; limit: number },
): Promise<{ rows: UpgradePackageRow[]; total: number }> {
  let q = db.selectFrom('upgrade_package');
  if (opts.search)
    q = q.where(sql<boolean>`lower(name) like ${containsPattern(opts.search)} escape '\\'`);
  const total = await q.select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q.selectAll().orderBy('name').offset(opts.offset).limit(opts.limit).execute();
  return {
    rows: rows.map((r) => checkRow('upgrade_package', r.id, r)),
    total: toNumber(total.n),
  };
}
