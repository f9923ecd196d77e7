import { sql, type Insertable, type Selectable } from 'kysely';
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

/**
 * A group's two member tables (ADR 0083): catalog updates and custom updates differ only by the
 * member table, its member column and the table the member ids name.
 */
export type MemberKind = 'apt' | 'custom';
const MEMBER_TABLE = {
  apt: { table: 'update_group_member', column: 'update_id', catalog: 'software_update' },
  custom: {
    table: 'update_group_custom_member',
    column: 'custom_update_id',
    catalog: 'custom_update',
  },
} as const;

/** Each group's members of one kind in the order they were added. */
export async function groupMembers(
  db: Queryable,
  groupIds: readonly string[],
  kind: MemberKind = 'apt',
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const m = MEMBER_TABLE[kind];
  const { rows } = await sql<{ group_id: string; member_id: string }>`
    select group_id, ${sql.ref(m.column)} as member_id from ${sql.table(m.table)}
    where group_id in (${sql.join(groupIds)}) order by group_id, position`.execute(db);
  for (const r of rows) out.get(r.group_id)?.push(r.member_id);
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

/** Of `ids`, those naming updates of that kind (the catalog's or custom updates). */
export async function existingMemberIds(
  db: Queryable,
  ids: readonly string[],
  kind: MemberKind = 'apt',
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    select id from ${sql.table(MEMBER_TABLE[kind].catalog)}
    where id in (${sql.join(ids)})`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/** Appends the members of that kind not yet in the group, after its last one. */
export async function addMembers(
  db: Queryable,
  groupId: string,
  memberIds: readonly string[],
  at: string,
  kind: MemberKind = 'apt',
): Promise<void> {
  const m = MEMBER_TABLE[kind];
  const have = new Set((await groupMembers(db, [groupId], kind)).get(groupId) ?? []);
  // max() is a number on SQLite and can come back as text from PostgreSQL: read it as a number.
  const { rows: last } = await sql<{ p: number | string | null }>`
    select max(position) as p from ${sql.table(m.table)} where group_id = ${groupId}`.execute(db);
  let position = Number(last[0]?.p ?? -1) + 1;
  const rows = memberIds
    .filter((id) => !have.has(id))
    .map((id) => sql`(${groupId}, ${id}, ${position++}, ${at})`);
  if (rows.length === 0) return;
  await sql`insert into ${sql.table(m.table)} (group_id, ${sql.ref(m.column)}, position, added_at)
    values ${sql.join(rows)}`.execute(db);
}

/** Removes one member of that kind from a group; false when it was not in it. */
export async function removeMember(
  db: Queryable,
  groupId: string,
  memberId: string,
  kind: MemberKind = 'apt',
): Promise<boolean> {
  const m = MEMBER_TABLE[kind];
  const r = await sql`delete from ${sql.table(m.table)}
    where group_id = ${groupId} and ${sql.ref(m.column)} = ${memberId}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
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
