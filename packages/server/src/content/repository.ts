import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { ManifestEntry, Package, PackageVersion } from '@steward/protocol';
import type { PackageVersionTable, SoftwarePackageTable } from '../db/tables/index.js';
import { checkRow } from '../db/corrupt-row.js';
import { toNumber, type Dialect, type Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';

/**
 * Package ids, names and current versions, as a derived table for other domains' statements
 * (`.innerJoin(packageHeads(db).as('k'), 'k.id', ...)`): a program or deployment list that
 * shows the package stays one statement. Both databases flatten the subquery into the join.
 */
export function packageHeads(db: Queryable) {
  return db.selectFrom('software_package').select(['id', 'name', 'current_version_id']);
}

/** SQL of the content library: packages, their versions and manifests, and stored files. */

export type PackageRow = Selectable<SoftwarePackageTable>;
export type VersionRow = Selectable<PackageVersionTable>;

/** Rows per statement for IN lists and multi-row inserts (well under SQLite's and pg's limits). */
const CHUNK = 500;

export function chunked<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- packages ----

export async function findPackage(
  db: Queryable,
  idOrName: string,
): Promise<PackageRow | undefined> {
  const byId = await db
    .selectFrom('software_package')
    .selectAll()
    .where('id', '=', idOrName)
    .executeTakeFirst();
  return (
    byId ??
    db.selectFrom('software_package').selectAll().where('name', '=', idOrName).executeTakeFirst()
  );
}

export function listPackageRows(db: Queryable, search?: string): Promise<PackageRow[]> {
  let q = db.selectFrom('software_package').selectAll().orderBy('name');
  if (search) {
    const pattern = containsPattern(search);
    q = q.where((eb) =>
      eb.or([
        sql<SqlBool>`lower(name) like ${pattern} escape '\\'`,
        sql<SqlBool>`lower(publisher) like ${pattern} escape '\\'`,
      ]),
    );
  }
  return q.execute();
}

/**
 * Locks a package's row for the rest of the transaction on PostgreSQL, where two new versions
 * of one package at once would take the same number; SQLite runs one write transaction at a
 * time, so there it needs nothing.
 */
export async function lockPackageRow(
  tx: Queryable,
  opts: { packageId: string; dialect: Dialect },
): Promise<void> {
  if (opts.dialect === 'postgres')
    await sql`select id from software_package where id = ${opts.packageId} for update`.execute(tx);
}

export async function insertPackage(db: Queryable, row: PackageRow): Promise<void> {
  await db.insertInto('software_package').values(row).execute();
}

export async function updatePackageRow(
  db: Queryable,
  id: string,
  patch: Partial<Omit<PackageRow, 'id' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('software_package').set(patch).where('id', '=', id).execute();
}

/** Versions, manifests, programs and DP targeting go with it (ON DELETE CASCADE). */
export async function deletePackageRow(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('software_package').where('id', '=', id).execute();
}

export interface PackageUsers {
  deployments: { id: string; name: string }[];
  phasedDeployments: { id: string; name: string }[];
  /** Programs of other packages that "run another program first" from this one. */
  dependentPrograms: { id: string; name: string; packageId: string }[];
}

/** What would stop a package from being deleted: anything outside it using one of its programs. */
export async function packageUsers(db: Queryable, packageId: string): Promise<PackageUsers> {
  const programs = db.selectFrom('program').select('id').where('package_id', '=', packageId);
  const [deployments, phasedDeployments, dependentPrograms] = await Promise.all([
    db
      .selectFrom('deployment')
      .select(['id', 'name'])
      .where('program_id', 'in', programs)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('phased_deployment')
      .select(['id', 'name'])
      .where('program_id', 'in', programs)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('program')
      .select(['id', 'name', 'package_id as packageId'])
      .where('depends_on_program_id', 'in', programs)
      .where('package_id', '<>', packageId)
      .orderBy('name')
      .execute(),
  ]);
  return { deployments, phasedDeployments, dependentPrograms };
}

interface PackageCounts {
  programCount: number;
  dpTargeted: number;
  dpInstalled: number;
}

/** Program and DP counts of many packages in three grouped queries. */
async function packageCounts(db: Queryable, ids: string[]): Promise<Map<string, PackageCounts>> {
  const out = new Map<string, PackageCounts>(
    ids.map((id) => [id, { programCount: 0, dpTargeted: 0, dpInstalled: 0 }]),
  );
  for (const part of chunked(ids)) {
    const programs = await db
      .selectFrom('program')
      .select((eb) => ['package_id', eb.fn.countAll().as('n')])
      .where('package_id', 'in', part)
      .groupBy('package_id')
      .execute();
    for (const r of programs) {
      const c = out.get(r.package_id);
      if (c) c.programCount = toNumber(r.n);
    }
    const dps = await db
      .selectFrom('dp_package as dp')
      .innerJoin('software_package as p', 'p.id', 'dp.package_id')
      .select((eb) => [
        'dp.package_id',
        eb.fn.countAll().as('targeted'),
        eb.fn
          .sum(
            eb
              .case()
              .when('dp.installed_version_id', '=', eb.ref('p.current_version_id'))
              .then(1)
              .else(0)
              .end(),
          )
          .as('installed'),
      ])
      .where('dp.package_id', 'in', part)
      .groupBy('dp.package_id')
      .execute();
    for (const r of dps) {
      const c = out.get(r.package_id);
      if (!c) continue;
      c.dpTargeted = toNumber(r.targeted);
      c.dpInstalled = toNumber(r.installed);
    }
  }
  return out;
}

export function toVersion(row: VersionRow, currentVersionId: string | null): PackageVersion {
  return {
    id: row.id,
    packageId: row.package_id,
    number: row.number,
    createdAt: row.created_at,
    createdBy: row.created_by,
    fileCount: row.file_count,
    sizeBytes: Number(row.size_bytes),
    source: row.source,
    current: row.id === currentVersionId,
  };
}

/** API view of package rows, with current version and counts, in a few queries for any number. */
export async function toPackages(db: Queryable, rows: PackageRow[]): Promise<Package[]> {
  const counts = await packageCounts(
    db,
    rows.map((r) => r.id),
  );
  const currentIds = rows.flatMap((r) => (r.current_version_id ? [r.current_version_id] : []));
  const versions = new Map<string, VersionRow>();
  for (const part of chunked(currentIds)) {
    const found = await db
      .selectFrom('package_version')
      .selectAll()
      .where('id', 'in', part)
      .execute();
    for (const v of found) versions.set(v.id, v);
  }
  return rows.map((r) => {
    checkRow('software_package', r.id, r);
    const current = r.current_version_id ? versions.get(r.current_version_id) : undefined;
    const c = counts.get(r.id);
    return {
      id: r.id,
      name: r.name,
      publisher: r.publisher,
      version: r.version,
      description: r.description,
      priority: r.priority,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      currentVersion: current ? toVersion(current, r.current_version_id) : null,
      programCount: c?.programCount ?? 0,
      dpTargeted: c?.dpTargeted ?? 0,
      dpInstalled: c?.dpInstalled ?? 0,
    };
  });
}

// ---- versions and manifests ----

export function listVersionRows(db: Queryable, packageId: string): Promise<VersionRow[]> {
  return db
    .selectFrom('package_version')
    .selectAll()
    .where('package_id', '=', packageId)
    .orderBy('number', 'desc')
    .execute();
}

export function findVersionByNumber(
  db: Queryable,
  packageId: string,
  number: number,
): Promise<VersionRow | undefined> {
  return db
    .selectFrom('package_version')
    .selectAll()
    .where('package_id', '=', packageId)
    .where('number', '=', number)
    .executeTakeFirst();
}

export async function nextVersionNumber(db: Queryable, packageId: string): Promise<number> {
  const row = await db
    .selectFrom('package_version')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('package_id', '=', packageId)
    .executeTakeFirst();
  return toNumber(row?.n) + 1;
}

/** The version row and its manifest; the caller's transaction also moves `current_version_id`. */
export async function insertVersion(
  db: Queryable,
  row: Insertable<PackageVersionTable>,
  files: readonly ManifestEntry[],
): Promise<void> {
  await db.insertInto('package_version').values(row).execute();
  for (const part of chunked(files, 200)) {
    await db
      .insertInto('package_version_file')
      .values(
        part.map((f) => ({
          version_id: row.id,
          path: f.path,
          sha256: f.sha256,
          size: f.size,
          mode: f.mode,
        })),
      )
      .execute();
  }
}

/** Manifests go with their versions (ON DELETE CASCADE). */
export async function deleteVersions(db: Queryable, ids: readonly string[]): Promise<void> {
  for (const part of chunked(ids))
    await db.deleteFrom('package_version').where('id', 'in', part).execute();
}

/** A version's manifest, by path (what DPs pull and agents verify before a run). */
export async function loadVersionFiles(db: Queryable, versionId: string): Promise<ManifestEntry[]> {
  return (await loadManifests(db, [versionId])).get(versionId) ?? [];
}

/** The manifests of many versions (each by path) in one query per chunk of versions. */
export async function loadManifests(
  db: Queryable,
  versionIds: readonly string[],
): Promise<Map<string, ManifestEntry[]>> {
  const out = new Map<string, ManifestEntry[]>(versionIds.map((id) => [id, []]));
  for (const part of chunked([...new Set(versionIds)])) {
    const rows = await db
      .selectFrom('package_version_file')
      .select(['version_id', 'path', 'sha256', 'size', 'mode'])
      .where('version_id', 'in', part)
      .orderBy('version_id')
      .orderBy('path')
      .execute();
    for (const r of rows)
      out
        .get(r.version_id)
        ?.push({ path: r.path, sha256: r.sha256, size: Number(r.size), mode: r.mode });
  }
  return out;
}

/** The version clients and DPs are given: the package's highest (current) one. */
export async function currentVersionOf(
  db: Queryable,
  packageId: string,
): Promise<{ id: string; number: number } | undefined> {
  return db
    .selectFrom('software_package as p')
    .innerJoin('package_version as v', 'v.id', 'p.current_version_id')
    .select(['v.id', 'v.number'])
    .where('p.id', '=', packageId)
    .executeTakeFirst();
}

/** What other domains need of a version: which package, its number and size. */
export interface VersionRef {
  id: string;
  package_id: string;
  number: number;
  size_bytes: number;
}

/** A package version by id. */
export async function findVersion(
  db: Queryable,
  versionId: string,
): Promise<VersionRef | undefined> {
  const row = await db
    .selectFrom('package_version')
    .select(['id', 'package_id', 'number', 'size_bytes'])
    .where('id', '=', versionId)
    .executeTakeFirst();
  return row && { ...row, size_bytes: Number(row.size_bytes) };
}

/** Whether one of the versions holds a file with this hash (content access checks). */
export async function versionsHoldFile(
  db: Queryable,
  opts: { versionIds: readonly string[]; sha256: string },
): Promise<boolean> {
  if (opts.versionIds.length === 0) return false;
  const row = await db
    .selectFrom('package_version_file')
    .select('version_id')
    .where('version_id', 'in', opts.versionIds)
    .where('sha256', '=', opts.sha256)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
