import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../db/tables/index.js';
import type { Queryable } from '../../db/database.js';
import { checkRow } from '../../db/corrupt-row.js';

/** SQL of update groups (the update-deployments part of the updates domain). */
export type GroupRow = Selectable<Database['update_group']>;

export async function findGroup(db: Queryable, idOrName: string): Promise<GroupRow | undefined> {
  const row =
    (await db
      .selectFrom('update_group')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    (await db
      .selectFrom('update_group')
      .selectAll()
      .where('name', '=', idOrName)
      .executeTakeFirst());
  return row && checkRow('update_group', row.id, row);
}

export async function listGroups(db: Queryable): Promise<GroupRow[]> {
  const rows = await db.selectFrom('update_group').selectAll().orderBy('name').execute();
  return rows.map((r) => checkRow('update_group', r.id, r));
}

/** Each group's update ids in the order they were added. */
export async function groupMembers(
  db: Queryable,
  groupIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows = await db
    .selectFrom('update_group_member')
    .select(['group_id', 'update_id'])
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('position')
    .execute();
  for (const r of rows) out.get(r.group_id)?.push(r.update_id);
  return out;
}

export async function insertGroup(db: Queryable, row: Insertable<Database['update_group']>) {
  await db.insertInto('update_group').values(row).execute();
}

export async function updateGroupRow(
  db: Queryable,
  id: string,
  patch: { name?: string; description?: string; updated_at: string },
) {
  await db.updateTable('update_group').set(patch).where('id', '=', id).execute();
}

export async function deleteGroupRow(db: Queryable, id: string) {
  await db.deleteFrom('update_group_member').where('group_id', '=', id).execute();
  await db.deleteFrom('update_group_custom_member').where('group_id', '=', id).execute();
  await db.deleteFrom('update_group').where('id', '=', id).execute();
}

/** Of `ids`, those the catalog holds. */
export async function existingUpdateIds(
  db: Queryable,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('software_update').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Each group's custom update ids in the order they were added (ADR 0083). */
export async function groupCustomMembers(
  db: Queryable,
  groupIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows = await db
    .selectFrom('update_group_custom_member')
    .select(['group_id', 'custom_update_id'])
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('position')
    .execute();
  for (const r of rows) out.get(r.group_id)?.push(r.custom_update_id);
  return out;
}

/** Of `ids`, those naming custom updates. */
export async function existingCustomUpdateIds(
  db: Queryable,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('custom_update').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Appends the custom updates not yet in the group, after its last one. */
export async function addCustomMembers(
  db: Queryable,
  groupId: string,
  customUpdateIds: readonly string[],
  at: string,
): Promise<void> {
  const have = new Set((await groupCustomMembers(db, [groupId])).get(groupId) ?? []);
  const last = await db
    .selectFrom('update_group_custom_member')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  let position = (last?.p ?? -1) + 1;
  const rows = customUpdateIds
    .filter((id) => !have.has(id))
    .map((custom_update_id) => ({
      group_id: groupId,
      custom_update_id,
      position: position++,
      added_at: at,
    }));
  if (rows.length > 0) await db.insertInto('update_group_custom_member').values(rows).execute();
}

/** Removes one custom update from a group; false when it was not in it. */
export async function removeCustomMember(
  db: Queryable,
  groupId: string,
  customUpdateId: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('update_group_custom_member')
    .where('group_id', '=', groupId)
    .where('custom_update_id', '=', customUpdateId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Appends the updates not yet in the group, after its last one. */
export async function addMembers(
  db: Queryable,
  groupId: string,
  updateIds: readonly string[],
  at: string,
): Promise<void> {
  const current = (await groupMembers(db, [groupId])).get(groupId) ?? [];
  const have = new Set(current);
  const last = await db
    .selectFrom('update_group_member')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  let position = (last?.p ?? -1) + 1;
  const rows = updateIds
    .filter((id) => !have.has(id))
    .map((update_id) => ({ group_id: groupId, update_id, position: position++, added_at: at }));
  if (rows.length > 0) await db.insertInto('update_group_member').values(rows).execute();
}

/** Removes one update from a group; false when it was not in it. */
export async function removeMember(
  db: Queryable,
  groupId: string,
  updateId: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('update_group_member')
    .where('group_id', '=', groupId)
    .where('update_id', '=', updateId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The binaries of the given updates, with the source each came from (what a deployment approves). */
export async function binariesOf(
  db: Queryable,
  updateIds: readonly string[],
): Promise<{ sourceId: string; package: string; version: string; architecture: string }[]> {
  if (updateIds.length === 0) return [];
  const rows = await db
    .selectFrom('software_update_binary as b')
    .innerJoin('software_update as u', 'u.id', 'b.update_id')
    .select(['u.source_id', 'b.package', 'b.version', 'b.arch'])
    .where('b.update_id', 'in', updateIds)
    .orderBy('b.package')
    .execute();
  return rows.map((r) => ({
    sourceId: r.source_id,
    package: r.package,
    version: r.version,
    architecture: r.arch,
  }));
}
