import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Boundary, BoundaryGroup, BoundaryGroupNeighbour } from '@steward/protocol';
import type { BoundaryGroupTable, BoundaryTable } from '../db/tables/index.js';
import { checkRow } from '../db/corrupt-row.js';
import type { LocationGroup } from './content-location.js';
import type { Queryable } from '../db/database.js';

export type BoundaryRow = Selectable<BoundaryTable>;
export type BoundaryGroupRow = Selectable<BoundaryGroupTable>;

export function findBoundary(db: Queryable, idOrName: string): Promise<BoundaryRow | undefined> {
  return db
    .selectFrom('boundary')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export function findBoundaryGroup(
  db: Queryable,
  idOrName: string,
): Promise<BoundaryGroupRow | undefined> {
  return db
    .selectFrom('boundary_group')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function insertBoundary(tx: Queryable, row: Insertable<BoundaryTable>): Promise<void> {
  await tx.insertInto('boundary').values(row).execute();
}

export async function updateBoundaryRow(
  tx: Queryable,
  id: string,
  patch: Updateable<BoundaryTable>,
): Promise<void> {
  await tx.updateTable('boundary').set(patch).where('id', '=', id).execute();
}

/** Its group links go with it (ON DELETE CASCADE). */
export async function deleteBoundary(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('boundary').where('id', '=', id).execute();
}

export async function insertBoundaryGroup(
  tx: Queryable,
  row: Insertable<BoundaryGroupTable>,
): Promise<void> {
  await tx.insertInto('boundary_group').values(row).execute();
}

/** Changes the columns given; nothing when there are none. */
export async function updateBoundaryGroupRow(
  tx: Queryable,
  id: string,
  patch: Updateable<BoundaryGroupTable>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await tx.updateTable('boundary_group').set(patch).where('id', '=', id).execute();
}

/** Its boundary, DP and neighbour links go with it (ON DELETE CASCADE). */
export async function deleteBoundaryGroup(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('boundary_group').where('id', '=', id).execute();
}

/** Ids of the named boundary groups (id or name each), or the first that matches none. */
export async function resolveBoundaryGroupIds(
  db: Queryable,
  idsOrNames: readonly string[],
): Promise<{ ids: string[]; unknown?: string }> {
  const ids: string[] = [];
  for (const w of new Set(idsOrNames)) {
    const row = await findBoundaryGroup(db, w);
    if (!row) return { ids, unknown: w };
    if (!ids.includes(row.id)) ids.push(row.id);
  }
  return { ids };
}

export async function loadBoundaries(db: Queryable, ids?: readonly string[]): Promise<Boundary[]> {
  if (ids?.length === 0) return [];
  let q = db.selectFrom('boundary').selectAll();
  if (ids) q = q.where('id', 'in', ids);
  const rows = await q.orderBy('name').execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('boundary_group_boundary')
    .selectAll()
    .where(
      'boundary_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    type: checkRow('boundary', r.id, r).type,
    value: r.value,
    boundaryGroupIds: links
      .filter((l) => l.boundary_id === r.id)
      .map((l) => l.group_id)
      .sort(),
  }));
}

export async function loadBoundaryGroups(
  db: Queryable,
  ids?: readonly string[],
): Promise<BoundaryGroup[]> {
  if (ids?.length === 0) return [];
  let q = db.selectFrom('boundary_group').selectAll();
  if (ids) q = q.where('id', 'in', ids);
  const rows = await q.orderBy('name').execute();
  if (rows.length === 0) return [];
  const groupIds = rows.map((r) => r.id);
  const [dps, boundaries, neighbours] = await Promise.all([
    db.selectFrom('boundary_group_dp').selectAll().where('group_id', 'in', groupIds).execute(),
    db
      .selectFrom('boundary_group_boundary')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .execute(),
    db
      .selectFrom('boundary_group_neighbour')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .orderBy('fallback_after_minutes')
      .orderBy('neighbour_id')
      .execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    siteCode: r.site_code,
    dpIds: dps
      .filter((d) => d.group_id === r.id)
      .map((d) => d.dp_id)
      .sort(),
    boundaryIds: boundaries
      .filter((b) => b.group_id === r.id)
      .map((b) => b.boundary_id)
      .sort(),
    neighbours: neighbours
      .filter((n) => n.group_id === r.id)
      .map((n) => ({
        boundaryGroupId: n.neighbour_id,
        fallbackAfterMinutes: n.fallback_after_minutes,
      })),
    slow: r.slow === 1,
  }));
}

export async function setBoundaryGroupsOf(
  tx: Queryable,
  boundaryId: string,
  groupIds: readonly string[],
): Promise<void> {
  await tx.deleteFrom('boundary_group_boundary').where('boundary_id', '=', boundaryId).execute();
  if (groupIds.length === 0) return;
  await tx
    .insertInto('boundary_group_boundary')
    .values(groupIds.map((groupId) => ({ group_id: groupId, boundary_id: boundaryId })))
    .execute();
}

export async function setGroupDps(tx: Queryable, groupId: string, dpIds: readonly string[]) {
  await tx.deleteFrom('boundary_group_dp').where('group_id', '=', groupId).execute();
  if (dpIds.length === 0) return;
  await tx
    .insertInto('boundary_group_dp')
    .values(dpIds.map((dpId) => ({ group_id: groupId, dp_id: dpId })))
    .execute();
}

export async function setGroupNeighbours(
  tx: Queryable,
  groupId: string,
  neighbours: readonly BoundaryGroupNeighbour[],
) {
  await tx.deleteFrom('boundary_group_neighbour').where('group_id', '=', groupId).execute();
  if (neighbours.length === 0) return;
  await tx
    .insertInto('boundary_group_neighbour')
    .values(
      neighbours.map((n) => ({
        group_id: groupId,
        neighbour_id: n.boundaryGroupId,
        fallback_after_minutes: n.fallbackAfterMinutes,
      })),
    )
    .execute();
}

/** Boundary groups whose boundaries contain the address (by its 32-hex key). */
export async function groupsContaining(db: Queryable, addressKey: string): Promise<string[]> {
  const rows = await db
    .selectFrom('boundary as b')
    .innerJoin('boundary_group_boundary as l', 'l.boundary_id', 'b.id')
    .select('l.group_id')
    .distinct()
    .where('b.start_key', '<=', addressKey)
    .where('b.end_key', '>=', addressKey)
    .execute();
  return rows.map((r) => r.group_id).sort();
}

/** The client's boundary groups and their neighbours, as content location reads them. */
export async function loadLocationGroups(
  db: Queryable,
  clientGroupIds: readonly string[],
): Promise<Map<string, LocationGroup>> {
  const groups = new Map<string, LocationGroup>();
  if (clientGroupIds.length === 0) return groups;
  const links = await db
    .selectFrom('boundary_group_neighbour')
    .selectAll()
    .where('group_id', 'in', clientGroupIds)
    .execute();
  const ids = [...new Set([...clientGroupIds, ...links.map((l) => l.neighbour_id)])];
  const [rows, dps] = await Promise.all([
    db.selectFrom('boundary_group').select(['id', 'slow']).where('id', 'in', ids).execute(),
    db.selectFrom('boundary_group_dp').selectAll().where('group_id', 'in', ids).execute(),
  ]);
  for (const r of rows)
    groups.set(r.id, {
      id: r.id,
      slow: r.slow === 1,
      dpIds: dps.filter((d) => d.group_id === r.id).map((d) => d.dp_id),
      neighbours: links
        .filter((l) => l.group_id === r.id)
        .map((l) => ({
          boundaryGroupId: l.neighbour_id,
          fallbackAfterMinutes: l.fallback_after_minutes,
        })),
    });
  return groups;
}
