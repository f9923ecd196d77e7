import type { Selectable } from 'kysely';
import { ClientSettingsSubset } from '@steward/protocol';
import type { ClientSettingsObjectTable } from '../db/tables/index.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { collectionNames } from '../collections/repository.js';
import { memberships } from '../collections/membership-repository.js';
import type { Queryable } from '../db/database.js';

export type ClientSettingsObjectRow = Selectable<ClientSettingsObjectTable>;

/** The stored subset, checked against the declarations: a value out of range is a corrupt row. */
export function subsetOf(
  row: Pick<ClientSettingsObjectRow, 'id' | 'settings'>,
): ClientSettingsSubset {
  return parseJsonColumn(ClientSettingsSubset, row.settings, {
    table: 'client_settings_object',
    id: row.id,
    column: 'settings',
  });
}

/** Every object, by priority (the winner first). */
export function listObjectRows(db: Queryable): Promise<ClientSettingsObjectRow[]> {
  return db.selectFrom('client_settings_object').selectAll().orderBy('priority').execute();
}

/** One object by id, else by name. */
export async function findObjectRow(
  db: Queryable,
  idOrName: string,
): Promise<ClientSettingsObjectRow | undefined> {
  return (
    (await db
      .selectFrom('client_settings_object')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    db
      .selectFrom('client_settings_object')
      .selectAll()
      .where('name', '=', idOrName)
      .executeTakeFirst()
  );
}

export async function insertObject(
  tx: Queryable,
  row: ClientSettingsObjectRow & { settings: string },
): Promise<void> {
  await tx.insertInto('client_settings_object').values(row).execute();
}

export async function updateObject(
  tx: Queryable,
  opts: {
    id: string;
    name: string;
    description: string;
    priority: number;
    settings: string;
    updatedAt: string;
  },
): Promise<void> {
  await tx
    .updateTable('client_settings_object')
    .set({
      name: opts.name,
      description: opts.description,
      priority: opts.priority,
      settings: opts.settings,
      updated_at: opts.updatedAt,
    })
    .where('id', '=', opts.id)
    .execute();
}

/** Deletes an object; its assignments go with it (cascade). */
export async function deleteObject(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('client_settings_object').where('id', '=', id).execute();
}

/** The collections of these objects (all when none given), by collection name. */
export function assignmentsOf(
  db: Queryable,
  objectIds?: readonly string[],
): Promise<{ object_id: string; collection_id: string; collection_name: string }[]> {
  let q = db
    .selectFrom('client_settings_assignment as a')
    .innerJoin(collectionNames(db).as('c'), 'c.id', 'a.collection_id')
    .select(['a.object_id', 'a.collection_id', 'c.name as collection_name'])
    .orderBy('c.name');
  if (objectIds !== undefined) {
    if (objectIds.length === 0) return Promise.resolve([]);
    q = q.where('a.object_id', 'in', [...objectIds]);
  }
  return q.execute();
}

/** Assigns (nothing when already assigned). */
export async function insertAssignment(
  tx: Queryable,
  opts: { objectId: string; collectionId: string; at: string },
): Promise<void> {
  await tx
    .insertInto('client_settings_assignment')
    .values({ object_id: opts.objectId, collection_id: opts.collectionId, assigned_at: opts.at })
    .onConflict((oc) => oc.columns(['object_id', 'collection_id']).doNothing())
    .execute();
}

/** Unassigns; true when there was an assignment. */
export async function deleteAssignment(
  tx: Queryable,
  opts: { objectId: string; collectionId: string },
): Promise<boolean> {
  const r = await tx
    .deleteFrom('client_settings_assignment')
    .where('object_id', '=', opts.objectId)
    .where('collection_id', '=', opts.collectionId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Whether any object is assigned anywhere (a site without any delivers one shared policy). */
export async function anyAssignment(db: Queryable): Promise<boolean> {
  const row = await db
    .selectFrom('client_settings_assignment')
    .select('object_id')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Of these collections, those with a client settings object assigned. */
export async function collectionsWithSettings(
  db: Queryable,
  opts: { collectionIds: readonly string[] },
): Promise<Set<string>> {
  if (opts.collectionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('client_settings_assignment')
    .select('collection_id')
    .distinct()
    .where('collection_id', 'in', [...opts.collectionIds])
    .execute();
  return new Set(rows.map((r) => r.collection_id));
}

/** One (object, collection) reaching a device: the inputs of its resultant settings. */
export interface DeviceSettingsSourceRow {
  object_id: string;
  object_name: string;
  priority: number;
  settings: unknown;
  collection_id: string;
  collection_name: string;
}

/**
 * The objects assigned to the collections a device is a member of, winner first (priority,
 * then collection name so the source named is stable). One statement.
 */
export function sourcesForDevice(
  db: Queryable,
  deviceId: string,
): Promise<DeviceSettingsSourceRow[]> {
  return db
    .selectFrom('client_settings_assignment as a')
    .innerJoin(memberships(db).as('m'), 'm.collection_id', 'a.collection_id')
    .innerJoin('client_settings_object as o', 'o.id', 'a.object_id')
    .innerJoin(collectionNames(db).as('c'), 'c.id', 'a.collection_id')
    .select([
      'o.id as object_id',
      'o.name as object_name',
      'o.priority',
      'o.settings',
      'a.collection_id',
      'c.name as collection_name',
    ])
    .where('m.device_id', '=', deviceId)
    .orderBy('o.priority')
    .orderBy('c.name')
    .execute();
}

/** Which of this name and this priority another object already holds. */
export async function takenBy(
  db: Queryable,
  opts: { name: string; priority: number; exceptId?: string },
): Promise<{ name: boolean; priority: boolean }> {
  let q = db
    .selectFrom('client_settings_object')
    .select(['name', 'priority'])
    .where((eb) => eb.or([eb('name', '=', opts.name), eb('priority', '=', opts.priority)]));
  if (opts.exceptId !== undefined) q = q.where('id', '<>', opts.exceptId);
  const rows = await q.execute();
  return {
    name: rows.some((r) => r.name === opts.name),
    priority: rows.some((r) => r.priority === opts.priority),
  };
}
