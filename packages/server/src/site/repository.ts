import type { Dialect, Queryable } from '../db/database.js';

/** One site setting's stored value, or undefined. */
export async function readSetting(db: Queryable, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('site_setting')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value;
}

/**
 * One setting's stored value, its row locked until the transaction ends on PostgreSQL (SQLite
 * transactions are serialised already): for a read-modify-write such as a promotion.
 */
export async function readSettingLocked(
  db: Queryable,
  opts: { key: string; dialect: Dialect },
): Promise<string | undefined> {
  if (opts.dialect !== 'postgres') return readSetting(db, opts.key);
  // The query builder, not raw SQL: it names the schema a site (or a test) runs in.
  const r = await db
    .selectFrom('site_setting')
    .select('value')
    .where('key', '=', opts.key)
    .forUpdate()
    .executeTakeFirst();
  return r?.value;
}

/** Stores a setting, replacing what was there. */
export async function writeSetting(
  db: Queryable,
  opts: { key: string; value: string },
): Promise<void> {
  await db
    .insertInto('site_setting')
    .values({ key: opts.key, value: opts.value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: opts.value }))
    .execute();
}

/** Stores a setting unless one is already there (the first of several racing processes wins). */
export async function insertSettingIfAbsent(
  db: Queryable,
  opts: { key: string; value: string },
): Promise<void> {
  await db
    .insertInto('site_setting')
    .values({ key: opts.key, value: opts.value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export interface SettingRow {
  key: string;
  value: string;
}

/** Settings whose value starts with `valuePrefix` (sealed secrets: `enc:v1:`), by key. */
export function settingsWithValuePrefix(
  db: Queryable,
  opts: { valuePrefix: string; ordered: boolean },
): Promise<SettingRow[]> {
  const q = db
    .selectFrom('site_setting')
    .select(['key', 'value'])
    .where('value', 'like', `${opts.valuePrefix}%`);
  return (opts.ordered ? q.orderBy('key') : q).execute();
}

/** The settings of the given keys that exist. */
export function settingsByKeys(db: Queryable, keys: readonly string[]): Promise<SettingRow[]> {
  return db.selectFrom('site_setting').select(['key', 'value']).where('key', 'in', keys).execute();
}

/**
 * Replaces a setting's value; with `ifValue`, only while it still holds that value
 * (compare-and-set against a process doing the same at the same time).
 */
export async function replaceSettingValue(
  db: Queryable,
  opts: { key: string; value: string; ifValue?: string },
): Promise<void> {
  let q = db.updateTable('site_setting').set({ value: opts.value }).where('key', '=', opts.key);
  if (opts.ifValue !== undefined) q = q.where('value', '=', opts.ifValue);
  await q.execute();
}
