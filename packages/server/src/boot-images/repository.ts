import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { checkRow } from '../db/corrupt-row.js';

/** SQL of boot images, imported and unknown computers (ADR 0017: SQL only here). */

export type BootImageRow = Selectable<Database['boot_image']>;
export type ImportedComputerRow = Selectable<Database['imported_computer']>;
export type UnknownComputerRow = Selectable<Database['unknown_computer']>;

const image = (r: BootImageRow) => checkRow('boot_image', r.id, r);

export async function insertBootImage(
  db: Queryable,
  row: Insertable<Database['boot_image']>,
): Promise<void> {
  await db.insertInto('boot_image').values(row).execute();
}

export async function updateBootImage(
  db: Queryable,
  id: string,
  patch: Updateable<Database['boot_image']>,
): Promise<void> {
  await db.updateTable('boot_image').set(patch).where('id', '=', id).execute();
}

export async function listBootImages(db: Queryable): Promise<BootImageRow[]> {
  const rows = await db
    .selectFrom('boot_image')
    .selectAll()
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
  return rows.map(image);
}

/** By id; else the newest version of that name (`ready` only when `readyOnly`). */
export async function findBootImage(
  db: Queryable,
  idOrName: string,
  readyOnly = false,
): Promise<BootImageRow | undefined> {
  let q = db
    .selectFrom('boot_image')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]));
  if (readyOnly) q = q.where('status', '=', 'ready');
  const rows = await q.orderBy('version', 'desc').execute();
  const row = rows.find((r) => r.id === idOrName) ?? rows[0];
  return row ? image(row) : undefined;
}

export async function findBootImageByKey(
  db: Queryable,
  keySha256: string,
): Promise<BootImageRow | undefined> {
  const row = await db
    .selectFrom('boot_image')
    .selectAll()
    .where('boot_key_sha256', '=', keySha256)
    .executeTakeFirst();
  return row ? image(row) : undefined;
}

export async function nextBootImageVersion(db: Queryable, name: string): Promise<number> {
  const row = await db
    .selectFrom('boot_image')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('name', '=', name)
    .executeTakeFirst();
  return toNumber(row?.v ?? 0) + 1;
}

export async function buildingBootImage(
  db: Queryable,
  name: string,
): Promise<BootImageRow | undefined> {
  const row = await db
    .selectFrom('boot_image')
    .selectAll()
    .where('name', '=', name)
    .where('status', '=', 'building')
    .executeTakeFirst();
  return row ? image(row) : undefined;
}

/**
 * `building` images whose heartbeat is older than `before` (or missing): their build's process
 * stopped (ADR 0079).
 */
export async function staleBuildingBootImages(
  db: Queryable,
  before: string,
): Promise<BootImageRow[]> {
  const rows = await db
    .selectFrom('boot_image')
    .selectAll()
    .where('status', '=', 'building')
    .where((eb) => eb.or([eb('heartbeat_at', '<', before), eb('heartbeat_at', 'is', null)]))
    .execute();
  return rows.map(image);
}

/** Marks a still-`building` image interrupted; false when it finished (or was marked) meanwhile. */
export async function interruptBootImage(
  db: Queryable,
  id: string,
  reason: string,
): Promise<boolean> {
  const r = await db
    .updateTable('boot_image')
    .set({ status: 'interrupted', progress_text: reason })
    .where('id', '=', id)
    .where('status', '=', 'building')
    .executeTakeFirst();
  return toNumber(r.numUpdatedRows) > 0;
}

export async function deleteBootImage(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('boot_image').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- imported computers ----

export async function insertImportedComputer(
  db: Queryable,
  row: Insertable<Database['imported_computer']>,
): Promise<void> {
  await db.insertInto('imported_computer').values(row).execute();
}

export async function listImportedComputers(db: Queryable): Promise<ImportedComputerRow[]> {
  const rows = await db.selectFrom('imported_computer').selectAll().orderBy('name').execute();
  return rows.map((r) => checkRow('imported_computer', r.id, r));
}

export async function findImportedComputer(
  db: Queryable,
  id: string,
): Promise<ImportedComputerRow | undefined> {
  const row = await db
    .selectFrom('imported_computer')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb('name', '=', id)]))
    .executeTakeFirst();
  return row ? checkRow('imported_computer', row.id, row) : undefined;
}

/** The imported computer with this SMBIOS UUID, else one with one of these MACs. */
export async function matchImportedComputer(
  db: Queryable,
  smbiosUuid: string | null,
  macs: readonly string[],
): Promise<{ row: ImportedComputerRow; by: 'smbiosUuid' | 'mac' } | undefined> {
  if (smbiosUuid) {
    const row = await db
      .selectFrom('imported_computer')
      .selectAll()
      .where('smbios_uuid', '=', smbiosUuid)
      .executeTakeFirst();
    if (row) return { row: checkRow('imported_computer', row.id, row), by: 'smbiosUuid' };
  }
  if (macs.length === 0) return undefined;
  const row = await db
    .selectFrom('imported_computer')
    .selectAll()
    .where('mac', 'in', macs)
    .orderBy('name')
    .executeTakeFirst();
  return row ? { row: checkRow('imported_computer', row.id, row), by: 'mac' } : undefined;
}

export async function setImportedLastBoot(db: Queryable, id: string, at: string): Promise<void> {
  await db
    .updateTable('imported_computer')
    .set({ last_boot_at: at })
    .where('id', '=', id)
    .execute();
}

export async function deleteImportedComputer(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('imported_computer').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- unknown computers ----

export async function findUnknownByIdentity(
  db: Queryable,
  identity: string,
): Promise<UnknownComputerRow | undefined> {
  const row = await db
    .selectFrom('unknown_computer')
    .selectAll()
    .where('identity', '=', identity)
    .executeTakeFirst();
  return row ? checkRow('unknown_computer', row.id, row) : undefined;
}

export async function findUnknownComputer(
  db: Queryable,
  id: string,
): Promise<UnknownComputerRow | undefined> {
  const row = await db
    .selectFrom('unknown_computer')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? checkRow('unknown_computer', row.id, row) : undefined;
}

export async function insertUnknownComputer(
  db: Queryable,
  row: Insertable<Database['unknown_computer']>,
): Promise<void> {
  await db.insertInto('unknown_computer').values(row).execute();
}

export async function updateUnknownComputer(
  db: Queryable,
  id: string,
  patch: Updateable<Database['unknown_computer']>,
): Promise<void> {
  await db.updateTable('unknown_computer').set(patch).where('id', '=', id).execute();
}

export async function listUnknownComputers(db: Queryable): Promise<UnknownComputerRow[]> {
  const rows = await db
    .selectFrom('unknown_computer')
    .selectAll()
    .orderBy('last_seen', 'desc')
    .execute();
  return rows.map((r) => checkRow('unknown_computer', r.id, r));
}

export async function deleteUnknownComputer(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('unknown_computer').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
