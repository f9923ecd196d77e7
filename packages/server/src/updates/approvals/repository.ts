import type { Queryable } from '../../db/database.js';

/** SQL of approved-update lists (export/import between sites). */

export interface MemberIdentity {
  groupId: string;
  updateId: string;
  url: string;
  suite: string;
  components: string;
  package: string;
  version: string;
}

/** Each group's members with what names them on every site, in the order they were added. */
export async function memberIdentities(
  db: Queryable,
  groupIds: readonly string[],
): Promise<MemberIdentity[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('update_group_member as m')
    .innerJoin('software_update as u', 'u.id', 'm.update_id')
    .innerJoin('update_source as s', 's.id', 'u.source_id')
    .select([
      'm.group_id',
      'm.update_id',
      's.url',
      's.suite',
      's.components',
      'u.package',
      'u.version',
    ])
    .where('m.group_id', 'in', groupIds)
    .orderBy('m.group_id')
    .orderBy('m.position')
    .execute();
  return rows.map((r) => ({
    groupId: r.group_id,
    updateId: r.update_id,
    url: r.url,
    suite: r.suite,
    components: r.components,
    package: r.package,
    version: r.version,
  }));
}

export interface CatalogCandidate {
  id: string;
  url: string;
  suite: string;
  package: string;
  version: string;
}

/** Catalog updates of the given source packages (the caller matches URL, suite and version). */
export async function candidatesOf(
  db: Queryable,
  packages: readonly string[],
): Promise<CatalogCandidate[]> {
  const out: CatalogCandidate[] = [];
  const unique = [...new Set(packages)];
  // Bounded statements: SQLite allows 32,766 parameters, PostgreSQL 65,535.
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db
      .selectFrom('software_update as u')
      .innerJoin('update_source as s', 's.id', 'u.source_id')
      .select(['u.id', 's.url', 's.suite', 'u.package', 'u.version'])
      .where('u.package', 'in', unique.slice(i, i + 1000))
      .execute();
    out.push(...rows);
  }
  return out;
}

export async function siteName(db: Queryable): Promise<string> {
  const row = await db
    .selectFrom('site_setting')
    .select('value')
    .where('key', '=', 'site_name')
    .executeTakeFirst();
  return row?.value ?? 'Steward site';
}
