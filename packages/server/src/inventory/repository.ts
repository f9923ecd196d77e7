import { sql, type RawBuilder } from 'kysely';
import type { PropertyType } from '@steward/protocol';
import type { Dialect, Queryable } from '../db/database.js';
import { inventoryElements, jsonProperty } from '../collections/repository/sql-json.js';

/** A device's inventory, one row per class, by class name. */
export function inventoryOfDevice(
  db: Queryable,
  deviceId: string,
): Promise<{ class_name: string; data: unknown }[]> {
  return db
    .selectFrom('device_inventory')
    .select(['class_name', 'data'])
    .where('device_id', '=', deviceId)
    .orderBy('class_name')
    .execute();
}

/** The hash of each class a device's inventory holds (what a report is compared with). */
export function classHashesOf(
  db: Queryable,
  deviceId: string,
): Promise<{ class_name: string; hash: string }[]> {
  return db
    .selectFrom('device_inventory')
    .select(['class_name', 'hash'])
    .where('device_id', '=', deviceId)
    .execute();
}

/** One class of a device's inventory, as stored, or undefined. */
export function classDataOf(
  db: Queryable,
  opts: { deviceId: string; className: string },
): Promise<{ data: unknown } | undefined> {
  return db
    .selectFrom('device_inventory')
    .select('data')
    .where('device_id', '=', opts.deviceId)
    .where('class_name', '=', opts.className)
    .executeTakeFirst();
}

/** Replaces one class of a device's inventory. */
export async function updateClassData(
  db: Queryable,
  opts: { deviceId: string; className: string; data: string; hash: string; at: string },
): Promise<void> {
  await db
    .updateTable('device_inventory')
    .set({ data: opts.data, hash: opts.hash, updated_at: opts.at })
    .where('device_id', '=', opts.deviceId)
    .where('class_name', '=', opts.className)
    .execute();
}

/** Adds a class to a device's inventory. */
export async function insertClassData(
  db: Queryable,
  opts: { deviceId: string; className: string; data: string; hash: string; at: string },
): Promise<void> {
  await db
    .insertInto('device_inventory')
    .values({
      device_id: opts.deviceId,
      class_name: opts.className,
      data: opts.data,
      hash: opts.hash,
      updated_at: opts.at,
    })
    .execute();
}

/** Removes a class from a device's inventory. */
export async function deleteClassData(
  db: Queryable,
  opts: { deviceId: string; className: string },
): Promise<void> {
  await db
    .deleteFrom('device_inventory')
    .where('device_id', '=', opts.deviceId)
    .where('class_name', '=', opts.className)
    .execute();
}

/** One history row: what a report added to and removed from one class of one device. */
export async function insertInventoryChange(
  db: Queryable,
  change: {
    deviceId: string;
    className: string;
    at: string;
    added: readonly unknown[];
    removed: readonly unknown[];
  },
): Promise<void> {
  await db
    .insertInto('inventory_change')
    .values({
      device_id: change.deviceId,
      class_name: change.className,
      at: change.at,
      added: JSON.stringify(change.added),
      removed: JSON.stringify(change.removed),
    })
    .execute();
}

/** A device's inventory history, newest first, paged backwards with `before` (an id). */
export function inventoryChangesOf(
  db: Queryable,
  opts: {
    deviceId: string;
    className: string | undefined;
    before: string | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('inventory_change')
    .selectAll()
    .where('device_id', '=', opts.deviceId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.className) query = query.where('class_name', '=', opts.className);
  if (opts.before) query = query.where(sql<boolean>`id < ${Number(opts.before)}`);
  return query.execute();
}

/** Custom inventory class definitions as stored, by name. */
export function customClassRows(db: Queryable): Promise<{ name: string; definition: unknown }[]> {
  return db.selectFrom('inventory_class').select(['name', 'definition']).orderBy('name').execute();
}

export async function customClassExists(db: Queryable, name: string): Promise<boolean> {
  const existing = await db
    .selectFrom('inventory_class')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst();
  return existing !== undefined;
}

/** Stores a custom class definition: a new row, or the existing one's definition replaced. */
export async function saveCustomClass(
  db: Queryable,
  opts: { name: string; definition: string; at: string; by: string; exists: boolean },
): Promise<void> {
  if (opts.exists) {
    await db
      .updateTable('inventory_class')
      .set({ definition: opts.definition, updated_at: opts.at })
      .where('name', '=', opts.name)
      .execute();
  } else {
    await db
      .insertInto('inventory_class')
      .values({
        name: opts.name,
        definition: opts.definition,
        created_at: opts.at,
        updated_at: opts.at,
        created_by: opts.by,
      })
      .execute();
  }
}

/** Deletes a custom class; false when there was none of that name. */
export async function deleteCustomClass(db: Queryable, name: string): Promise<boolean> {
  const r = await db.deleteFrom('inventory_class').where('name', '=', name).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The stored instances of these classes for these devices: one statement for a page. */
export function inventoryOfDevices(
  db: Queryable,
  opts: { deviceIds: readonly string[]; classNames: readonly string[] },
): Promise<{ device_id: string; class_name: string; data: unknown }[]> {
  if (opts.deviceIds.length === 0 || opts.classNames.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('device_inventory')
    .select(['device_id', 'class_name', 'data'])
    .where('device_id', 'in', [...opts.deviceIds])
    .where('class_name', 'in', [...opts.classNames])
    .execute();
}

/**
 * A device's value of one inventory property as an SQL expression correlated with the outer
 * query's `device` row, to order a device list by (ADR 0034): the least value over the class's
 * instances (those matching `where`, if given); NULL when the device has none.
 */
export function inventorySortValue(
  dialect: Dialect,
  column: {
    className: string;
    property: string;
    type: PropertyType;
    where?: { property: string; equals: string } | undefined;
  },
): RawBuilder<unknown> {
  let value = jsonProperty(dialect, 'sv_e', column.property, column.type);
  // PostgreSQL has no min(boolean): order false before true as 0 and 1.
  if (column.type === 'boolean' && dialect === 'postgres')
    value = sql`(case when ${value} then 1 when not ${value} then 0 end)`;
  const where = column.where
    ? sql`and ${jsonProperty(dialect, 'sv_e', column.where.property, 'string')} = ${column.where.equals}`
    : sql``;
  return sql`(select min(${value}) from ${inventoryElements(dialect, 'sv_i', 'sv_e')}
    where sv_i.device_id = device.id and sv_i.class_name = ${column.className} ${where})`;
}
