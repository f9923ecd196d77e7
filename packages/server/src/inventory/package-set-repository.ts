import { debianVersionKey, type InstalledPackage } from '@steward/protocol';
import { packageSetHash, sortPackages } from '@steward/protocol/node';
import { sql } from 'kysely';
import { checkRow } from '../db/corrupt-row.js';
import { containsPattern } from '../db/like.js';
import { toNumber, type Queryable } from '../db/database.js';
import { packageSetAdded } from '../updates/compliance/applicability-repository.js';

// 6 parameters a row: 2,000 rows stay far below SQLite's 32,766 and PostgreSQL's 65,535 limits,
// so a typical set (~600 packages) is one statement.
const INSERT_CHUNK = 2000;

/**
 * Stores a package set once, addressed by its hash (DESIGN.md section 4): a fleet built from a
 * few images holds a few sets, however many devices point at them.
 */
export async function ensurePackageSet(
  tx: Queryable,
  packages: readonly InstalledPackage[],
  at: string,
): Promise<{ id: string; count: number }> {
  const id = packageSetHash(packages);
  const existing = await tx
    .selectFrom('package_set')
    .select(['id', 'package_count'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (existing) return { id, count: existing.package_count };
  const unique = new Map<string, InstalledPackage>();
  for (const p of sortPackages(packages))
    unique.set(`${p.manager}\t${p.name}\t${p.arch}\t${p.version}`, p);
  const rows = [...unique.values()].map((p) => ({
    set_id: id,
    manager: p.manager,
    name: p.name,
    arch: p.arch,
    version: p.version,
    version_key: debianVersionKey(p.version),
  }));
  const inserted = await tx
    .insertInto('package_set')
    .values({ id, package_count: rows.length, created_at: at })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  // Another process stored the same set concurrently: its rows are complete (same transaction).
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { id, count: rows.length };
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('package_set_item')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  // A new set: which updates it needs, before any of its devices scans (ADR 0047).
  await packageSetAdded(tx, id, at);
  return { id, count: rows.length };
}

export async function loadPackageSet(tx: Queryable, setId: string): Promise<InstalledPackage[]> {
  const rows = await tx
    .selectFrom('package_set_item')
    .select(['manager', 'name', 'arch', 'version'])
    .where('set_id', '=', setId)
    .execute();
  return rows.map((r) => ({
    manager: checkRow('package_set_item', `${setId}/${r.name}`, { manager: r.manager }).manager,
    name: r.name,
    arch: r.arch,
    version: r.version,
  }));
}

/** Deletes package sets no device points at any more (scheduled). */
export async function collectUnusedPackageSets(db: Queryable): Promise<number> {
  const r = await db
    .deleteFrom('package_set')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('device')
            .select('device.id')
            .whereRef('device.package_set_id', '=', 'package_set.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** One page of a package set's items (a device's packages), by name, and how many match. */
export async function packageSetItemsPage(
  db: Queryable,
  opts: { setId: string; search: string | undefined; offset: number; limit: number },
) {
  let base = db.selectFrom('package_set_item').where('set_id', '=', opts.setId);
  if (opts.search)
    base = base.where(sql<boolean>`lower(name) like ${containsPattern(opts.search)} escape '\\'`);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const items = await base
    .select(['name', 'version', 'arch', 'manager'])
    .orderBy('name')
    .orderBy('arch')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
  return { items, total: toNumber(total?.n) };
}

/**
 * Devices (not revoked) per package set, from the counts the database keeps (ADR 0075): one row
 * per set, whatever the fleet's size; `withoutSet` is the devices not yet inventoried (an index
 * range, small once a fleet has reported).
 */
export async function devicesPerPackageSet(
  db: Queryable,
): Promise<{ perSet: Map<string, number>; withoutSet: number }> {
  const rows = await db
    .selectFrom('package_set_device_count')
    .select(['set_id', 'devices'])
    .where('devices', '>', 0)
    .execute();
  const none = await db
    .selectFrom('device')
    .where('package_set_id', 'is', null)
    .where('revoked_at', 'is', null)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return {
    perSet: new Map(rows.map((r) => [r.set_id, r.devices])),
    withoutSet: Number(none?.n ?? 0),
  };
}
