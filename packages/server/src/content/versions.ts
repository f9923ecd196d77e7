import { ConflictError, InputError, ErrorCode } from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type { ManifestEntry, PackageVersion } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { checkManifest } from './manifest.js';
import { mustFindPackage } from './find-package.js';
import * as repo from './repository.js';
import * as stored from './stored-files-repository.js';
import { type Queryable, inTransaction } from '../db/database.js';

/** How a version's source arrived (PackageVersion.source). */
export type VersionSource = 'files' | 'archive' | 'folder';

/** The package, locked for the transaction: two new versions at once take numbers in turn. */
async function lockedPackage(
  ctx: SiteContext,
  tx: Queryable,
  idOrName: string,
): Promise<repo.PackageRow> {
  const row = await mustFindPackage(tx, idOrName);
  await repo.lockPackageRow(tx, { packageId: row.id, dialect: ctx.db.dialect });
  return row;
}

/** Every hash stored, and each entry's size the stored size: else nothing is created. */
async function checkStored(tx: Queryable, files: readonly ManifestEntry[]): Promise<void> {
  const sizes = await stored.storedSizes(
    tx,
    files.map((f) => f.sha256),
  );
  const missing = [...new Set(files.filter((f) => !sizes.has(f.sha256)).map((f) => f.sha256))];
  if (missing.length > 0)
    throw new ConflictError(
      ErrorCode.CONTENT_MISSING,
      `${missing.length} file(s) are not in the content library; upload them first`,
      { missing },
    );
  const wrong = files.find((f) => sizes.get(f.sha256) !== f.size);
  if (wrong) {
    // Every file is in `sizes` here (the missing ones were refused above).
    const size = sizes.get(wrong.sha256) ?? 0;
    throw new InputError(
      ErrorCode.CONTENT_SIZE_MISMATCH,
      `"${wrong.path}" says ${wrong.size} bytes but ${wrong.sha256} has ${size}`,
      { path: wrong.path, sha256: wrong.sha256, size },
    );
  }
}

/**
 * Creates the package's next version from files already in the library and makes it current
 * (clients and DPs always get the current one), in one transaction with its audit row and
 * status message PACKAGE_VERSION_CREATED; then tells every process (DP and agent assignments) on the bus.
 */
export async function commitVersion(
  ctx: SiteContext,
  actor: Actor,
  input: {
    idOrName: string;
    files: ManifestEntry[];
    source: VersionSource;
    /** A folder import: the folder read (as asked, and its real path), for the audit log. */
    folder?: { path: string; realPath: string };
  },
): Promise<PackageVersion> {
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  checkManifest(files);
  const at = nowIso(ctx);
  const created = await inTransaction(ctx.db.kysely, async (tx) => {
    const pkg = await lockedPackage(ctx, tx, input.idOrName);
    await checkStored(tx, files);
    const newToLibrary = await stored.countUnreferenced(
      tx,
      files.map((f) => f.sha256),
    );
    const row = {
      id: randomUUID(),
      package_id: pkg.id,
      number: await repo.nextVersionNumber(tx, pkg.id),
      created_at: at,
      created_by: actor.userName,
      file_count: files.length,
      size_bytes: files.reduce((n, f) => n + f.size, 0),
      source: input.source,
    };
    await repo.insertVersion(tx, row, files);
    await repo.updatePackageRow(tx, pkg.id, { current_version_id: row.id, updated_at: at });
    await writeAudit(tx, actor, at, {
      action: 'package.version.create',
      targetType: 'package',
      targetId: pkg.id,
      details: {
        name: pkg.name,
        version: row.number,
        files: files.length,
        source: input.source,
        ...(input.folder
          ? { folder: input.folder.path, folderRealPath: input.folder.realPath }
          : {}),
      },
    });
    await raiseSiteStatus(
      ctx,
      {
        message: 'PACKAGE_VERSION_CREATED',
        insertionStrings: [
          pkg.name,
          String(row.number),
          actor.userName,
          String(files.length),
          String(row.size_bytes),
          String(newToLibrary),
        ],
        attributes: { packageId: pkg.id, packageVersionId: row.id },
      },
      tx,
    );
    return row;
  });
  await ctx.bus.publish('content-changed', { packageId: created.package_id });
  await ctx.bus.publish('status-ingested', { count: 1 });
  return repo.toVersion(created, created.id);
}

/**
 * Deletes all but the newest `keep` versions (the current one always stays); their files go at
 * the next garbage collection if nothing else references them.
 */
export async function pruneVersions(
  ctx: SiteContext,
  actor: Actor,
  idOrName: string,
  keep: number,
): Promise<PackageVersion[]> {
  const at = nowIso(ctx);
  const { pkg, removed } = await inTransaction(ctx.db.kysely, async (tx) => {
    const pkg = await lockedPackage(ctx, tx, idOrName);
    const versions = await repo.listVersionRows(tx, pkg.id);
    const removed = versions
      .slice(Math.max(1, keep))
      .filter((v) => v.id !== pkg.current_version_id)
      .map((v) => v.id);
    await repo.deleteVersions(tx, removed);
    if (removed.length > 0)
      await writeAudit(tx, actor, at, {
        action: 'package.version.prune',
        targetType: 'package',
        targetId: pkg.id,
        details: {
          name: pkg.name,
          removed: versions.filter((v) => removed.includes(v.id)).map((v) => v.number),
        },
      });
    return { pkg, removed };
  });
  return (await repo.listVersionRows(ctx.db.kysely, pkg.id))
    .filter((v) => !removed.includes(v.id))
    .map((v) => repo.toVersion(v, pkg.current_version_id));
}

/**
 * A package another domain keeps its files in, created with its first version already current
 * (agent versions, ADR 0042), inside the caller's transaction so nothing is half-written: the
 * files must be in the library with their sizes, and the name must be free (PACKAGE_NAME_TAKEN).
 */
export async function insertPackageWithVersion(
  tx: Queryable,
  input: {
    name: string;
    description: string;
    publisher: string;
    version: string;
    files: ManifestEntry[];
    at: string;
    createdBy: string;
  },
): Promise<{ packageId: string; versionId: string }> {
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  checkManifest(files);
  await checkStored(tx, files);
  if (await repo.findPackage(tx, input.name))
    throw new ConflictError(
      ErrorCode.PACKAGE_NAME_TAKEN,
      `a package named "${input.name}" already exists`,
    );
  const packageId = randomUUID();
  const versionId = randomUUID();
  await repo.insertPackage(tx, {
    id: packageId,
    name: input.name,
    publisher: input.publisher,
    version: input.version,
    description: input.description,
    priority: 'medium',
    current_version_id: null,
    created_at: input.at,
    updated_at: input.at,
  });
  await repo.insertVersion(
    tx,
    {
      id: versionId,
      package_id: packageId,
      number: 1,
      created_at: input.at,
      created_by: input.createdBy,
      file_count: files.length,
      size_bytes: files.reduce((n, f) => n + f.size, 0),
      source: 'files',
    },
    files,
  );
  await repo.updatePackageRow(tx, packageId, { current_version_id: versionId });
  return { packageId, versionId };
}
