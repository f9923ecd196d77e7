import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DistributionPoint, DpGroup } from '@steward/protocol';
import type { DistributionPointTable, DpGroupTable } from '../db/tables/index.js';
import { libraryFileTotals } from '../content/stored-files-repository.js';
import { toNumber, type Queryable } from '../db/database.js';
import type { CandidateDp } from './content-location.js';
import { dpState, onlineSince } from './dp-state.js';

export type DpRow = Selectable<DistributionPointTable>;
export type DpGroupRow = Selectable<DpGroupTable>;

/** The site server's own DP has a fixed id so that racing site processes create it once. */
export const SITE_SERVER_DP_ID = 'site-server';

export function findDp(db: Queryable, idOrName: string): Promise<DpRow | undefined> {
  return db
    .selectFrom('distribution_point')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('is_site_server', 'desc')
    .executeTakeFirst();
}

export function findDpGroup(db: Queryable, idOrName: string): Promise<DpGroupRow | undefined> {
  return db
    .selectFrom('dp_group')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function insertDp(
  tx: Queryable,
  row: Insertable<DistributionPointTable>,
): Promise<void> {
  await tx.insertInto('distribution_point').values(row).execute();
}

/** Changes the columns given; nothing when there are none. */
export async function updateDpRow(
  tx: Queryable,
  id: string,
  patch: Updateable<DistributionPointTable>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await tx.updateTable('distribution_point').set(patch).where('id', '=', id).execute();
}

/** Its targets and group and boundary group links go with it (ON DELETE CASCADE). */
export async function deleteDp(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('distribution_point').where('id', '=', id).execute();
}

export async function insertDpGroup(tx: Queryable, row: Insertable<DpGroupTable>): Promise<void> {
  await tx.insertInto('dp_group').values(row).execute();
}

/** Changes the columns given; nothing when there are none. */
export async function updateDpGroupRow(
  tx: Queryable,
  id: string,
  patch: Updateable<DpGroupTable>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await tx.updateTable('dp_group').set(patch).where('id', '=', id).execute();
}

/** Its members and packages go with it; the DPs keep their targets. */
export async function deleteDpGroup(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('dp_group').where('id', '=', id).execute();
}

export async function removeGroupMember(
  tx: Queryable,
  opts: { groupId: string; dpId: string },
): Promise<void> {
  await tx
    .deleteFrom('dp_group_member')
    .where('group_id', '=', opts.groupId)
    .where('dp_id', '=', opts.dpId)
    .execute();
}

/**
 * Remembers that the groups hold a package (for a later "distribute to new members") and
 * returns their members of the moment, the DPs to target now.
 */
export async function givePackageToGroups(
  tx: Queryable,
  opts: { packageId: string; groupIds: readonly string[] },
): Promise<string[]> {
  if (opts.groupIds.length === 0) return [];
  await tx
    .insertInto('dp_group_package')
    .values(opts.groupIds.map((groupId) => ({ group_id: groupId, package_id: opts.packageId })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const members = await tx
    .selectFrom('dp_group_member')
    .select('dp_id')
    .where('group_id', 'in', opts.groupIds)
    .execute();
  return members.map((m) => m.dp_id);
}

/** Ids of the named DPs (id or name each), or the first name that matches none. */
export async function resolveDpIds(
  db: Queryable,
  idsOrNames: readonly string[],
): Promise<{ ids: string[]; unknown?: string }> {
  const wanted = [...new Set(idsOrNames)];
  if (wanted.length === 0) return { ids: [] };
  const rows = await db
    .selectFrom('distribution_point')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', 'in', wanted), eb('name', 'in', wanted)]))
    .execute();
  const ids: string[] = [];
  for (const w of wanted) {
    const row = rows.find((r) => r.id === w) ?? rows.find((r) => r.name === w);
    if (!row) return { ids, unknown: w };
    if (!ids.includes(row.id)) ids.push(row.id);
  }
  return { ids };
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string, value: (r: T) => string) {
  const m = new Map<string, string[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k) ?? [];
    list.push(value(r));
    m.set(k, list);
  }
  return m;
}

/** DPs with their groups, boundary groups and content counts; every DP when `ids` is omitted. */
export async function loadDistributionPoints(
  db: Queryable,
  now: Date,
  ids?: readonly string[],
): Promise<DistributionPoint[]> {
  if (ids?.length === 0) return [];
  let q = db.selectFrom('distribution_point').selectAll();
  if (ids) q = q.where('id', 'in', ids);
  const rows = await q.orderBy('is_site_server', 'desc').orderBy('name').execute();
  if (rows.length === 0) return [];
  const dpIds = rows.map((r) => r.id);
  const [members, boundaryGroups, counts] = await Promise.all([
    db.selectFrom('dp_group_member').selectAll().where('dp_id', 'in', dpIds).execute(),
    db.selectFrom('boundary_group_dp').selectAll().where('dp_id', 'in', dpIds).execute(),
    db
      .selectFrom('dp_package')
      .select((eb) => [
        'dp_id',
        eb.fn.countAll().as('targeted'),
        eb.fn.count(eb.case().when('state', '=', 'installed').then(1).end()).as('installed'),
      ])
      .where('dp_id', 'in', dpIds)
      .groupBy('dp_id')
      .execute(),
  ]);
  // The site server holds the whole content library and is the process answering: its stored
  // bytes are the library's and it is seen now (it has no poll that would update its row).
  const siteServerBytes = rows.some((r) => r.is_site_server === 1)
    ? (await libraryFileTotals(db)).totalBytes
    : 0;
  const groupIds = groupBy(
    members,
    (m) => m.dp_id,
    (m) => m.group_id,
  );
  const bgIds = groupBy(
    boundaryGroups,
    (m) => m.dp_id,
    (m) => m.group_id,
  );
  return rows.map((row) => {
    const c = counts.find((x) => x.dp_id === row.id);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      url: row.url,
      isSiteServer: row.is_site_server === 1,
      protected: row.protected === 1,
      state: dpState(row, now),
      lastSeenAt: row.is_site_server === 1 ? now.toISOString() : row.last_seen_at,
      version: row.version,
      groupIds: (groupIds.get(row.id) ?? []).sort(),
      boundaryGroupIds: (bgIds.get(row.id) ?? []).sort(),
      packagesTargeted: toNumber(c?.targeted),
      packagesInstalled: toNumber(c?.installed),
      storedBytes: row.is_site_server === 1 ? siteServerBytes : Number(row.stored_bytes),
    };
  });
}

/**
 * Creates the site server's DP row once, and keeps its URL the site's current agent URL (where
 * the library is served from). Safe for several site processes starting at once.
 */
export async function ensureSiteServerDpRow(
  db: Queryable,
  opts: { url: string; at: string; version: string },
): Promise<void> {
  await db
    .insertInto('distribution_point')
    .values({
      id: SITE_SERVER_DP_ID,
      name: 'site-server',
      description: 'The site server: serves the content library itself',
      url: opts.url,
      is_site_server: 1,
      protected: 0,
      registration_hash: null,
      registration_expires_at: null,
      key_hash: null,
      registered_at: opts.at,
      last_seen_at: opts.at,
      version: opts.version,
      created_at: opts.at,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .updateTable('distribution_point')
    .set({ url: opts.url, last_seen_at: opts.at, version: opts.version })
    .where('is_site_server', '=', 1)
    .execute();
}

/** Groups with members, packages and the members that were added after a package was given. */
export async function loadDpGroups(db: Queryable, ids?: readonly string[]): Promise<DpGroup[]> {
  if (ids?.length === 0) return [];
  let q = db.selectFrom('dp_group').selectAll();
  if (ids) q = q.where('id', 'in', ids);
  const rows = await q.orderBy('name').execute();
  if (rows.length === 0) return [];
  const groupIds = rows.map((r) => r.id);
  const [members, packages, missing] = await Promise.all([
    db.selectFrom('dp_group_member').selectAll().where('group_id', 'in', groupIds).execute(),
    db.selectFrom('dp_group_package').selectAll().where('group_id', 'in', groupIds).execute(),
    membersMissingContent(db, groupIds),
  ]);
  const memberIds = groupBy(
    members,
    (m) => m.group_id,
    (m) => m.dp_id,
  );
  const packageIds = groupBy(
    packages,
    (m) => m.group_id,
    (m) => m.package_id,
  );
  return rows.map((row) => {
    const gaps = groupBy(
      missing.filter((m) => m.group_id === row.id),
      (m) => m.dp_id,
      (m) => m.package_id,
    );
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      memberIds: (memberIds.get(row.id) ?? []).sort(),
      packageIds: (packageIds.get(row.id) ?? []).sort(),
      membersMissingContent: [...gaps.entries()]
        .map(([dpId, list]) => ({ dpId, missingPackageIds: list.sort() }))
        .sort((a, b) => a.dpId.localeCompare(b.dpId)),
    };
  });
}

/**
 * (group, member, package) triples where the group holds the package but the member is not
 * targeted with it: members added after the package was given to the group (seed 004).
 */
export function membersMissingContent(
  db: Queryable,
  groupIds: readonly string[],
): Promise<{ group_id: string; dp_id: string; package_id: string }[]> {
  return db
    .selectFrom('dp_group_member as m')
    .innerJoin('dp_group_package as p', 'p.group_id', 'm.group_id')
    .leftJoin('dp_package as t', (j) =>
      j.onRef('t.dp_id', '=', 'm.dp_id').onRef('t.package_id', '=', 'p.package_id'),
    )
    .select(['m.group_id', 'm.dp_id', 'p.package_id'])
    .where('m.group_id', 'in', groupIds)
    .where('t.dp_id', 'is', null)
    .execute();
}

export async function replaceGroupMembers(
  tx: Queryable,
  groupId: string,
  dpIds: readonly string[],
  at: string,
): Promise<void> {
  await tx.deleteFrom('dp_group_member').where('group_id', '=', groupId).execute();
  await addGroupMembers(tx, groupId, dpIds, at);
}

export async function addGroupMembers(
  tx: Queryable,
  groupId: string,
  dpIds: readonly string[],
  at: string,
): Promise<void> {
  if (dpIds.length === 0) return;
  await tx
    .insertInto('dp_group_member')
    .values(dpIds.map((dpId) => ({ group_id: groupId, dp_id: dpId, added_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Online DPs with a URL; with a version, only those holding it completely. */
export async function onlineCandidateDps(
  db: Queryable,
  opts: { now: Date; versionId: string | undefined },
): Promise<CandidateDp[]> {
  const { now, versionId } = opts;
  let q = db
    .selectFrom('distribution_point as d')
    .select(['d.id', 'd.name', 'd.url', 'd.protected', 'd.is_site_server'])
    .where('d.url', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('d.is_site_server', '=', 1),
        eb.and([
          eb('d.registered_at', 'is not', null),
          eb('d.last_seen_at', '>=', onlineSince(now)),
        ]),
      ]),
    );
  if (versionId !== undefined)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('dp_package as t')
          .select('t.dp_id')
          .whereRef('t.dp_id', '=', 'd.id')
          .where('t.installed_version_id', '=', versionId),
      ),
    );
  const rows = await q.execute();
  return rows.flatMap((r) =>
    r.url === null
      ? []
      : [
          {
            id: r.id,
            name: r.name,
            url: r.url,
            protected: r.protected === 1,
            isSiteServer: r.is_site_server === 1,
          },
        ],
  );
}
