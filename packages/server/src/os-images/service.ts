import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  OS_IMAGE_MANIFEST_FILE,
  OsImageManifest,
  type DistributeRequest,
  type ImportOsImageRequest,
  type ManifestEntry,
  type OsImage,
  type PackageContentStatus,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction, toNumber, type Queryable } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { deletePackageRow } from '../content/repository.js';
import { recordContentFile } from '../content/stored-files-repository.js';
import { insertPackageWithVersion } from '../content/versions.js';
import type { DistributionService } from '../distribution/distribution-service.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';

/** The content-library package of one version (one package per version, as boot images). */
export function osImagePackageName(name: string, version: number): string {
  return `os-image-${name.slice(0, 160)}-${String(version)}`;
}

/** The row's manifest, checked (a stored manifest that does not parse is a corrupt row). */
export function manifestOf(r: repo.OsImageRow): OsImageManifest {
  return parseJsonColumn(OsImageManifest, r.manifest, {
    table: 'os_image',
    id: r.id,
    column: 'manifest',
  });
}

export function toOsImage(r: repo.OsImageRow): OsImage {
  const manifest = manifestOf(r);
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    source: r.source,
    os: manifest.os,
    fileSystems: manifest.fileSystems,
    archiveBytes: toNumber(r.archive_bytes),
    usedBytes: toNumber(r.used_bytes),
    madeAt: manifest.createdAt,
    packageId: r.package_id,
    packageVersionId: r.package_version_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** What the archive list must be: unique names and mount points, a root file system. */
function checkManifestShape(m: OsImageManifest): void {
  const names = new Set(m.fileSystems.map((f) => f.archive));
  const mounts = new Set(m.fileSystems.map((f) => f.mountpoint));
  const reason =
    names.size !== m.fileSystems.length
      ? 'two file systems name the same archive'
      : mounts.size !== m.fileSystems.length
        ? 'two file systems have the same mount point'
        : !mounts.has('/')
          ? 'no file system is mounted at /'
          : names.has(OS_IMAGE_MANIFEST_FILE)
            ? `an archive is named ${OS_IMAGE_MANIFEST_FILE}`
            : undefined;
  if (reason) throw new InputError(ErrorCode.OS_IMAGE_INVALID, `the image manifest: ${reason}`);
}

/**
 * OS images as site content (issue 11, ADR 0085): a version of a named image is recorded from
 * its manifest once its archives are in the content library (hash-first upload by an
 * administrator, or a capture step's upload); its manifest and archives become a content
 * package of their own, so distribution, DP validation and per-DP status are the distribution
 * domain's, as for boot images.
 */
export class OsImageService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
    private readonly distribution: DistributionService,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  async list(actor: Actor): Promise<OsImage[]> {
    authorize(actor, 'read');
    return (await repo.listOsImages(this.db)).map(toOsImage);
  }

  private async row(idOrName: string, db: Queryable = this.db): Promise<repo.OsImageRow> {
    const row = await repo.findOsImage(db, idOrName);
    if (!row) throw new NotFoundError('OS image', idOrName, ErrorCode.OS_IMAGE_NOT_FOUND);
    return row;
  }

  async get(actor: Actor, idOrName: string): Promise<OsImage> {
    authorize(actor, 'read');
    return toOsImage(await this.row(idOrName));
  }

  async import(actor: Actor, req: ImportOsImageRequest): Promise<OsImage> {
    authorize(actor, 'software:write');
    const manifest = req.name ? { ...req.manifest, name: req.name } : req.manifest;
    return this.record(manifest, actor);
  }

  /**
   * Records the next version of the manifest's name. The archives must be in the library with
   * the manifest's SHA-256 and size (CONTENT_MISSING / CONTENT_SIZE_MISMATCH otherwise); the
   * manifest itself is stored as `os-image.json` beside them. One transaction: the package,
   * the row, the audit and status message 52454, or nothing.
   */
  async record(manifest: OsImageManifest, actor: Actor): Promise<OsImage> {
    checkManifestShape(manifest);
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const storedManifest = await this.store.putStream(Readable.from([manifestBytes]));
    const at = nowIso(this.ctx);
    const id = randomUUID();
    const files: ManifestEntry[] = [
      { path: OS_IMAGE_MANIFEST_FILE, ...storedManifest, mode: 0o644 },
      ...manifest.fileSystems.map((f) => ({
        path: f.archive,
        sha256: f.sha256,
        size: f.archiveBytes,
        mode: 0o644,
      })),
    ];
    const archiveBytes = manifest.fileSystems.reduce((n, f) => n + f.archiveBytes, 0);
    const usedBytes = manifest.fileSystems.reduce((n, f) => n + f.usedBytes, 0);
    const row = await inTransaction(this.db, async (tx) => {
      await recordContentFile(tx, storedManifest, at);
      const version = await repo.nextOsImageVersion(tx, manifest.name);
      const { packageId, versionId } = await insertPackageWithVersion(tx, {
        name: osImagePackageName(manifest.name, version),
        description: `OS image ${manifest.name} version ${String(version)} (${manifest.os.prettyName}, ${manifest.os.arch})`,
        publisher: 'Steward',
        version: String(version),
        files,
        at,
        createdBy: actor.userName,
      });
      const inserted = {
        id,
        name: manifest.name,
        version,
        source: manifest.source,
        os_id: manifest.os.id,
        os_version_id: manifest.os.versionId,
        os_pretty_name: manifest.os.prettyName,
        arch: manifest.os.arch,
        manifest: JSON.stringify(manifest),
        archive_bytes: archiveBytes,
        used_bytes: usedBytes,
        package_id: packageId,
        package_version_id: versionId,
        created_at: at,
        created_by: actor.userName,
      };
      await repo.insertOsImage(tx, inserted);
      await writeAudit(tx, actor, at, {
        action: 'os-image.import',
        targetType: 'os-image',
        targetId: id,
        details: { name: manifest.name, version, source: manifest.source, packageId },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'OS_IMAGE_RECORDED',
          insertionStrings: [
            manifest.name,
            String(version),
            manifest.os.prettyName,
            manifest.os.arch,
            manifest.source,
            actor.userName,
            String(archiveBytes),
          ],
          attributes: { osImageId: id, packageId },
        },
        tx,
      );
      return inserted;
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return toOsImage(row);
  }

  /** Deletes the version and its content package (DPs drop the files at their next poll). */
  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    const packageId = await inTransaction(this.db, async (tx) => {
      const row = await this.row(idOrName, tx);
      await repo.deleteOsImage(tx, row.id);
      if (row.package_id !== null) await deletePackageRow(tx, row.package_id);
      await writeAudit(tx, actor, at, {
        action: 'os-image.delete',
        targetType: 'os-image',
        targetId: row.id,
        details: { name: row.name, version: row.version, packageId: row.package_id },
      });
      return row.package_id;
    });
    if (packageId !== null) await this.ctx.bus.publish('content-changed', { packageId });
  }

  private async packageOf(idOrName: string): Promise<string> {
    const row = await this.row(idOrName);
    if (row.package_id === null)
      throw new ConflictError(
        ErrorCode.OS_IMAGE_NO_CONTENT,
        `OS image ${row.name} ${String(row.version)} has no content package (it was deleted)`,
      );
    return row.package_id;
  }

  async distribute(
    actor: Actor,
    idOrName: string,
    req: DistributeRequest,
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    return this.distribution.distribute(actor, await this.packageOf(idOrName), req);
  }

  async contentStatus(actor: Actor, idOrName: string): Promise<PackageContentStatus> {
    authorize(actor, 'read');
    return this.distribution.contentStatus(actor, await this.packageOf(idOrName));
  }
}
