import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable, type Tx } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { checkRow } from '../db/corrupt-row.js';

type DriverTable = Database['driver'];
export type DriverRow = Selectable<DriverTable>;
export type DriverModuleRow = Selectable<Database['driver_module']>;

export async function insertDriver(
  tx: Tx,
  row: Insertable<DriverTable>,
  modules: Insertable<Database['driver_module']>[],
  aliases: Insertable<Database['driver_alias']>[],
): Promise<void> {
  await tx.insertInto('driver').values(row).execute();
  // Bounded statements: SQLite allows 32,766 parameters, PostgreSQL 65,535.
  for (let i = 0; i < modules.length; i += 500)
    await tx
      .insertInto('driver_module')
      .values(modules.slice(i, i + 500))
      .execute();
  for (let i = 0; i < aliases.length; i += 1000)
    await tx
      .insertInto('driver_alias')
      .values(aliases.slice(i, i + 1000))
      .execute();
}

/** A driver by id, or by package name when exactly one version of it is imported. */
export async function findDriver(db: Queryable, idOrName: string): Promise<DriverRow | undefined> {
  const byId = await db
    .selectFrom('driver')
    .selectAll()
    .where('id', '=', idOrName)
    .executeTakeFirst();
  if (byId) return checkRow('driver', byId.id, byId);
  const byName = await db
    .selectFrom('driver')
    .selectAll()
    .where('package', '=', idOrName)
    .limit(2)
    .execute();
  const [only] = byName;
  return byName.length === 1 && only ? checkRow('driver', only.id, only) : undefined;
}

export async function modulesOf(db: Queryable, driverId: string): Promise<DriverModuleRow[]> {
  const rows = await db
    .selectFrom('driver_module')
    .selectAll()
    .where('driver_id', '=', driverId)
    .orderBy('path')
    .execute();
  return rows.map((r) => checkRow('driver_module', `${driverId}/${r.path}`, r));
}

export async function aliasesOf(
  db: Queryable,
  driverId: string,
): Promise<{ module: string; alias: string }[]> {
  return db
    .selectFrom('driver_alias')
    .select(['module', 'alias'])
    .where('driver_id', '=', driverId)
    .execute();
}

export interface DriverFilter {
  search?: string;
  enabled?: boolean;
}

/** Drivers by package name (then version), filtered; categories are filtered by the service. */
export async function listDriverRows(db: Queryable, f: DriverFilter): Promise<DriverRow[]> {
  let q = db.selectFrom('driver').selectAll();
  if (f.enabled !== undefined) q = q.where('enabled', '=', f.enabled ? 1 : 0);
  if (f.search) {
    const like = containsPattern(f.search);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(package) like ${like} escape '\\'`,
        sql<boolean>`lower(description) like ${like} escape '\\'`,
        eb(
          'id',
          'in',
          eb
            .selectFrom('driver_module')
            .select('driver_id')
            .where(sql<boolean>`lower(name) like ${like} escape '\\'`),
        ),
      ]),
    );
  }
  const rows = await q.orderBy('package').orderBy('version').execute();
  return rows.map((r) => checkRow('driver', r.id, r));
}

/** Module, alias and firmware-reference counts per driver. */
export async function countsByDriver(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, { modules: number; aliases: number }>> {
  const out = new Map<string, { modules: number; aliases: number }>();
  if (ids.length === 0) return out;
  const modules = await db
    .selectFrom('driver_module')
    .select(['driver_id', (eb) => eb.fn.countAll().as('n')])
    .where('driver_id', 'in', ids)
    .groupBy('driver_id')
    .execute();
  const aliases = await db
    .selectFrom('driver_alias')
    .select(['driver_id', (eb) => eb.fn.countAll().as('n')])
    .where('driver_id', 'in', ids)
    .groupBy('driver_id')
    .execute();
  for (const id of ids) out.set(id, { modules: 0, aliases: 0 });
  for (const m of modules) out.set(m.driver_id, { modules: toNumber(m.n), aliases: 0 });
  for (const a of aliases) {
    const c = out.get(a.driver_id);
    if (c) c.aliases = toNumber(a.n);
  }
  return out;
}

export async function updateDriverRow(
  db: Queryable,
  id: string,
  set: { enabled?: number; categories?: string },
): Promise<void> {
  await db.updateTable('driver').set(set).where('id', '=', id).execute();
}

/** The driver's content package (created in the import's transaction). */
export async function setDriverContent(
  db: Queryable,
  id: string,
  content: { packageId: string; versionId: string },
): Promise<void> {
  await db
    .updateTable('driver')
    .set({ package_id: content.packageId, package_version_id: content.versionId })
    .where('id', '=', id)
    .execute();
}

export async function deleteDriverRow(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('driver').where('id', '=', id).execute();
}

export interface EnabledAlias {
  driver_id: string;
  package: string;
  version: string;
  module: string;
  alias: string;
}

/** Every alias of every enabled driver (matched in process: fnmatch patterns, not SQL LIKE). */
export async function enabledAliases(db: Queryable): Promise<EnabledAlias[]> {
  return db
    .selectFrom('driver_alias as a')
    .innerJoin('driver as d', 'd.id', 'a.driver_id')
    .select(['a.driver_id', 'd.package', 'd.version', 'a.module', 'a.alias'])
    .where('d.enabled', '=', 1)
    .orderBy('d.package')
    .orderBy('a.module')
    .execute();
}
