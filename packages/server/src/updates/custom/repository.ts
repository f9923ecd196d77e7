import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../../db/tables/index.js';
import type { Queryable } from '../../db/database.js';
import { containsPattern } from '../../db/like.js';
import { checkRow } from '../../db/corrupt-row.js';

/** SQL of custom updates (issue 10, ADR 0059). */
export type CustomUpdateRow = Selectable<Database['custom_update']>;

export interface ProgramRefRow {
  id: string;
  name: string;
  package_id: string;
  package_name: string;
}

export async function findCustomUpdate(
  db: Queryable,
  id: string,
): Promise<CustomUpdateRow | undefined> {
  const row = await db
    .selectFrom('custom_update')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && checkRow('custom_update', row.id, row);
}

/** The custom update of that identity (vendor, product, version), if any. */
export async function findByIdentity(
  db: Queryable,
  identity: { vendor: string; product: string; version: string },
): Promise<CustomUpdateRow | undefined> {
  const row = await db
    .selectFrom('custom_update')
    .selectAll()
    .where('vendor', '=', identity.vendor)
    .where('product', '=', identity.product)
    .where('version', '=', identity.version)
    .executeTakeFirst();
  return row && checkRow('custom_update', row.id, row);
}

export async function listCustomUpdates(
  db: Queryable,
  f: { search?: string; vendor?: string; offset: number; limit: number },
): Promise<{ rows: CustomUpdateRow[]; total: number }> {
  let q = db.selectFrom('custom_update');
  if (f.vendor !== undefined) q = q.where('vendor', '=', f.vendor);
  if (f.search !== undefined && f.search !== '') {
    const like = containsPattern(f.search);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(title) like ${like} escape '\\'`,
        sql<boolean>`lower(vendor) like ${like} escape '\\'`,
        sql<boolean>`lower(product) like ${like} escape '\\'`,
      ]),
    );
  }
  const total = await q
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const rows = await q
    .selectAll()
    .orderBy('vendor')
    .orderBy('product')
    .orderBy('title')
    .orderBy('id')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  return {
    rows: rows.map((r) => checkRow('custom_update', r.id, r)),
    total: Number(total?.n ?? 0),
  };
}

export async function insertCustomUpdate(
  db: Queryable,
  row: Insertable<Database['custom_update']>,
): Promise<void> {
  await db.insertInto('custom_update').values(row).execute();
}

export async function updateCustomUpdateRow(
  db: Queryable,
  id: string,
  patch: Updateable<Database['custom_update']>,
): Promise<void> {
  await db.updateTable('custom_update').set(patch).where('id', '=', id).execute();
}

export async function deleteCustomUpdateRow(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('custom_update').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Programs (with their package) by id: what a custom update shows of its programs. */
export async function programRefs(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, ProgramRefRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('program')
    .innerJoin('software_package', 'software_package.id', 'program.package_id')
    .select([
      'program.id as id',
      'program.name as name',
      'program.package_id as package_id',
      'software_package.name as package_name',
    ])
    .where('program.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Every custom update's rules (the agent's catalog carries them whole, ADR 0074). */
export async function allCustomRules(
  db: Queryable,
): Promise<{ id: string; detection: string; applicability: string | null }[]> {
  return db
    .selectFrom('custom_update')
    .select(['id', 'detection', 'applicability'])
    .orderBy('id')
    .execute();
}
