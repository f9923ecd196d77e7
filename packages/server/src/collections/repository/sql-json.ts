import { sql, type RawBuilder } from 'kysely';
import type { PropertyType } from '@steward/protocol';
import type { Dialect } from '../../db/database.js';

/**
 * The dialect-specific SQL for reading inventory instances held as JSON arrays in
 * device_inventory.data. Property names come from the class catalog and are still passed as
 * bound parameters, so nothing from a query's text is ever spliced into SQL.
 */

/** `device_inventory <row> <join> <each element as elem>`: one row per instance of the class. */
export function inventoryElements(
  dialect: Dialect,
  row: string,
  elem: string,
): RawBuilder<unknown> {
  if (dialect === 'sqlite') {
    return sql`device_inventory as ${sql.id(row)}, json_each(${sql.ref(`${row}.data`)}) as ${sql.id(elem)}`;
  }
  return sql`device_inventory as ${sql.id(row)} cross join lateral jsonb_array_elements(${sql.ref(
    `${row}.data`,
  )}) as ${sql.id(elem)}(value)`;
}

/**
 * One property of an instance, as an SQL value of the property's type, or NULL when the
 * instance lacks it or holds a value of another JSON type (a string where a number belongs).
 * Both dialects treat a wrongly typed value the same way, instead of SQLite comparing it
 * across storage classes and PostgreSQL failing the whole evaluation on a bad cast.
 */
export function jsonProperty(
  dialect: Dialect,
  elem: string,
  property: string,
  type: PropertyType,
): RawBuilder<unknown> {
  const value = sql.ref(`${elem}.value`);
  if (dialect === 'sqlite') {
    const path = `$."${property}"`;
    const jsonTypes =
      type === 'number'
        ? sql`('integer', 'real')`
        : type === 'boolean'
          ? sql`('true', 'false')`
          : sql`('text')`;
    return sql`(case when json_type(${value}, ${path}) in ${jsonTypes} then json_extract(${value}, ${path}) end)`;
  }
  const key = sql`${property}::text`;
  switch (type) {
    case 'number':
      return sql`(case when jsonb_typeof(${value} -> ${key}) = 'number' then (${value} ->> ${key})::numeric end)`;
    case 'boolean':
      return sql`(case when jsonb_typeof(${value} -> ${key}) = 'boolean' then (${value} ->> ${key})::boolean end)`;
    case 'string':
    case 'version':
    case 'datetime':
      return sql`(case when jsonb_typeof(${value} -> ${key}) = 'string' then ${value} ->> ${key} end)`;
  }
}

/** A literal as a bound parameter; better-sqlite3 cannot bind booleans, SQLite stores them as 1/0. */
export function literalParam(
  dialect: Dialect,
  value: string | number | boolean,
): RawBuilder<unknown> {
  if (typeof value === 'boolean' && dialect === 'sqlite') return sql`${value ? 1 : 0}`;
  return sql`${value}`;
}

/** `expr in (set)` where the set is one bound parameter, however many values it holds. */
export function inTextSet(
  dialect: Dialect,
  expr: RawBuilder<unknown>,
  values: readonly string[],
): RawBuilder<unknown> {
  if (values.length === 0) return sql`false`;
  if (dialect === 'sqlite')
    return sql`${expr} in (select value from json_each(${JSON.stringify(values)}))`;
  return sql`${expr} = any(${[...values]}::text[])`;
}
