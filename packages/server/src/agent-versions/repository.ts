import type { AgentPackageFile } from '@steward/protocol';
import type { Insertable, Selectable } from 'kysely';
import { type Queryable, toNumber } from '../db/database.js';
import type { AgentVersionFileTable, AgentVersionTable } from '../db/tables/index.js';

export type AgentVersionRow = Selectable<AgentVersionTable>;
export type AgentVersionFileRow = Selectable<AgentVersionFileTable>;

export function toFile(row: AgentVersionFileRow): AgentPackageFile {
  return {
    name: row.name,
    kind: row.kind,
    arch: row.arch,
    sha256: row.sha256,
    size: toNumber(row.size),
  };
}

export async function listVersionRows(db: Queryable): Promise<AgentVersionRow[]> {
  return db.selectFrom('agent_version').selectAll().orderBy('created_at', 'desc').execute();
}

export async function findVersionRow(
  db: Queryable,
  version: string,
): Promise<AgentVersionRow | undefined> {
  return db
    .selectFrom('agent_version')
    .selectAll()
    .where('version', '=', version)
    .executeTakeFirst();
}

/** The files of these versions, grouped by version, each group sorted by name. */
export async function filesOf(
  db: Queryable,
  versions: readonly string[],
): Promise<Map<string, AgentVersionFileRow[]>> {
  const byVersion = new Map<string, AgentVersionFileRow[]>();
  if (versions.length === 0) return byVersion;
  const rows = await db
    .selectFrom('agent_version_file')
    .selectAll()
    .where('version', 'in', [...versions])
    .orderBy('version')
    .orderBy('name')
    .execute();
  for (const row of rows) {
    const list = byVersion.get(row.version) ?? [];
    list.push(row);
    byVersion.set(row.version, list);
  }
  return byVersion;
}

/** Inserts a version and its files; false when the version exists already (nothing written). */
export async function insertVersion(
  db: Queryable,
  row: Insertable<AgentVersionTable>,
  files: readonly AgentPackageFile[],
): Promise<boolean> {
  const inserted = await db
    .insertInto('agent_version')
    .values(row)
    .onConflict((oc) => oc.column('version').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await db
    .insertInto('agent_version_file')
    .values(files.map((f) => ({ version: row.version, ...f })))
    .execute();
  return true;
}

/** A package file of any registered version, by file name (names carry the version). */
export async function findFileByName(
  db: Queryable,
  name: string,
): Promise<AgentVersionFileRow | undefined> {
  return db
    .selectFrom('agent_version_file')
    .selectAll()
    .where('name', '=', name)
    .orderBy('version')
    .executeTakeFirst();
}

/** Names the content-library package holding a version's files (ADR 0042). */
export async function setVersionPackage(
  db: Queryable,
  opts: { version: string; packageId: string },
): Promise<void> {
  await db
    .updateTable('agent_version')
    .set({ package_id: opts.packageId })
    .where('version', '=', opts.version)
    .execute();
}

/** The registered versions one file (by SHA-256) belongs to, oldest name first. */
export async function versionsWithFile(db: Queryable, sha256: string): Promise<string[]> {
  const rows = await db
    .selectFrom('agent_version_file')
    .select('version')
    .where('sha256', '=', sha256)
    .orderBy('version')
    .execute();
  return rows.map((r) => r.version);
}
