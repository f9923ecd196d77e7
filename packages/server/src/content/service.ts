import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  type ContentLibraryStats,
  type CreatePackageRequest,
  type ManifestEntry,
  type MissingContentResponse,
  type Package,
  type PackageVersion,
  type StoredContentFile,
  type UpdatePackageRequest,
  ConflictError,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { assertSha256, type ContentStore } from './content-store.js';
import { importArchive } from './archive.js';
import { importFolder } from './folder.js';
import type { ImportRoots } from './import-roots.js';
import { discardUnreferenced } from './gc.js';
import { mustFindPackage } from './find-package.js';
import { commitVersion, pruneVersions, type VersionSource } from './versions.js';
import * as repo from './repository.js';
import * as stored from './stored-files-repository.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { type Queryable, inTransaction } from '../db/database.js';

/**
 * The content library: packages, their numbered versions (manifests of path → SHA-256), and the
 * single-instance file store behind them. Every public method taking an actor authorises first;
 * each change is one transaction with its audit row.
 */
export class ContentService {
  constructor(
    private readonly ctx: SiteContext,
    readonly store: ContentStore,
    /** Where folder imports may read; none unless the process was given import roots. */
    private readonly importRoots: Pick<ImportRoots, 'check'>,
  ) {}

  private get db(): Queryable {
    return this.ctx.db.kysely;
  }

  async list(actor: Actor, search?: string): Promise<Package[]> {
    authorize(actor, 'read');
    return repo.toPackages(this.db, await repo.listPackageRows(this.db, search));
  }

  async get(actor: Actor, idOrName: string): Promise<Package> {
    authorize(actor, 'read');
    const [pkg] = await repo.toPackages(this.db, [await mustFindPackage(this.db, idOrName)]);
    if (!pkg) throw new NotFoundError('package', idOrName, ErrorCode.PACKAGE_NOT_FOUND);
    return pkg;
  }

  async create(actor: Actor, req: CreatePackageRequest): Promise<Package> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.write(req.name, async (tx) => {
      await repo.insertPackage(tx, {
        id,
        name: req.name,
        publisher: req.publisher ?? '',
        version: req.version ?? '',
        description: req.description ?? '',
        priority: req.priority ?? 'medium',
        current_version_id: null,
        created_at: at,
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'package.create',
        targetType: 'package',
        targetId: id,
        details: { name: req.name },
      });
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, idOrName: string, req: UpdatePackageRequest): Promise<Package> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    let id = idOrName;
    await this.write(req.name ?? idOrName, async (tx) => {
      const row = await mustFindPackage(tx, idOrName);
      id = row.id;
      await repo.updatePackageRow(tx, row.id, {
        ...(req.name === undefined ? {} : { name: req.name }),
        ...(req.publisher === undefined ? {} : { publisher: req.publisher }),
        ...(req.version === undefined ? {} : { version: req.version }),
        ...(req.description === undefined ? {} : { description: req.description }),
        ...(req.priority === undefined ? {} : { priority: req.priority }),
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'package.update',
        targetType: 'package',
        targetId: row.id,
        details: { name: req.name ?? row.name, changes: req },
      });
    });
    return this.get(actor, id);
  }

  /** Refused (PACKAGE_IN_USE) while a deployment or another package's program uses its programs. */
  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    const packageId = await inTransaction(this.db, async (tx) => {
      const row = await mustFindPackage(tx, idOrName);
      const users = await repo.packageUsers(tx, row.id);
      const count =
        users.deployments.length + users.phasedDeployments.length + users.dependentPrograms.length;
      if (count > 0)
        throw new ConflictError(
          ErrorCode.PACKAGE_IN_USE,
          `package "${row.name}" is used by ${describeUsers(users)}; remove those first`,
          users,
        );
      await repo.deletePackageRow(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'package.delete',
        targetType: 'package',
        targetId: row.id,
        details: { name: row.name },
      });
      return row.id;
    });
    await this.ctx.bus.publish('content-changed', { packageId });
  }

  async versions(actor: Actor, idOrName: string): Promise<PackageVersion[]> {
    authorize(actor, 'read');
    const pkg = await mustFindPackage(this.db, idOrName);
    return (await repo.listVersionRows(this.db, pkg.id)).map((v) =>
      repo.toVersion(v, pkg.current_version_id),
    );
  }

  async versionFiles(actor: Actor, idOrName: string, number: number): Promise<ManifestEntry[]> {
    authorize(actor, 'read');
    const pkg = await mustFindPackage(this.db, idOrName);
    const version = await repo.findVersionByNumber(this.db, pkg.id, number);
    if (!version)
      throw new NotFoundError(
        `version of package "${pkg.name}"`,
        String(number),
        ErrorCode.PACKAGE_VERSION_NOT_FOUND,
      );
    return repo.loadVersionFiles(this.db, version.id);
  }

  /** Hash-first upload, step 1: which files the library lacks. Present ones are claimed again. */
  async missing(actor: Actor, hashes: string[]): Promise<MissingContentResponse> {
    authorize(actor, 'software:write');
    const held = await stored.storedSizes(this.db, hashes);
    await stored.touchContentFiles(this.db, [...held.keys()], nowIso(this.ctx));
    return { missing: [...new Set(hashes.filter((h) => !held.has(h)))] };
  }

  /**
   * Hash-first upload, step 2: one file, verified against its name while it streams. Audited
   * (`content.upload`), so every way content enters the library leaves an audit row.
   */
  async uploadFile(actor: Actor, sha256: string, body: Readable): Promise<StoredContentFile> {
    authorize(actor, 'software:write');
    assertSha256(sha256);
    const file = await this.store.putStream(body, sha256);
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      await stored.recordContentFile(tx, file, at);
      await writeAudit(tx, actor, at, {
        action: 'content.upload',
        targetType: 'content-file',
        targetId: file.sha256,
        details: { size: file.size },
      });
    });
    return file;
  }

  /** Hash-first upload, step 3: a version from files already stored (else CONTENT_MISSING). */
  async createVersionFromFiles(
    actor: Actor,
    idOrName: string,
    files: ManifestEntry[],
  ): Promise<PackageVersion> {
    authorize(actor, 'software:write');
    return commitVersion(this.ctx, actor, { idOrName, files, source: 'files' });
  }

  async createVersionFromArchive(
    actor: Actor,
    idOrName: string,
    body: Readable,
    gzip: boolean,
  ): Promise<PackageVersion> {
    authorize(actor, 'software:write');
    await mustFindPackage(this.db, idOrName);
    return this.importThenCommit(actor, idOrName, 'archive', (onStored) =>
      importArchive(this.store, body, { gzip, onStored }),
    );
  }

  async createVersionFromFolder(
    actor: Actor,
    idOrName: string,
    path: string,
  ): Promise<PackageVersion> {
    authorize(actor, 'software:write');
    // Before anything is read or written: only folders inside the import roots (issue 7).
    const realPath = await this.importRoots.check(path);
    await mustFindPackage(this.db, idOrName);
    return this.importThenCommit(
      actor,
      idOrName,
      'folder',
      (onStored) => importFolder(this.store, realPath, onStored),
      { path, realPath },
    );
  }

  /**
   * A version from a folder the site built itself (the approved-update repositories, ADR 0050):
   * the path never comes from a request, so no import root applies.
   */
  async createVersionFromSiteFolder(
    actor: Actor,
    idOrName: string,
    path: string,
  ): Promise<PackageVersion> {
    authorize(actor, 'software:write');
    await mustFindPackage(this.db, idOrName);
    return this.importThenCommit(actor, idOrName, 'folder', (onStored) =>
      importFolder(this.store, path, onStored),
    );
  }

  /** Keeps the newest `keep` versions (the current one always); GC then drops unshared files. */
  async pruneVersions(actor: Actor, idOrName: string, keep: number): Promise<PackageVersion[]> {
    authorize(actor, 'software:write');
    return pruneVersions(this.ctx, actor, idOrName, keep);
  }

  async library(actor: Actor): Promise<ContentLibraryStats> {
    authorize(actor, 'read');
    return stored.libraryStats(this.db);
  }

  /**
   * Stores the files (each recorded at once, so a crash leaves rows GC knows about), then creates
   * the version; on any failure the files this import added are dropped again.
   */
  private async importThenCommit(
    actor: Actor,
    idOrName: string,
    source: VersionSource,
    run: (onStored: (f: StoredContentFile) => Promise<void>) => Promise<ManifestEntry[]>,
    folder?: { path: string; realPath: string },
  ): Promise<PackageVersion> {
    const added: string[] = [];
    const onStored = async (f: StoredContentFile) => {
      if (!(await stored.contentFileExists(this.db, f.sha256))) added.push(f.sha256);
      await stored.recordContentFile(this.db, f, nowIso(this.ctx));
    };
    try {
      const files = await run(onStored);
      return await commitVersion(this.ctx, actor, {
        idOrName,
        files,
        source,
        ...(folder ? { folder } : {}),
      });
    } catch (err) {
      await discardUnreferenced(this.ctx, this.store, added);
      throw err;
    }
  }

  private async write(name: string, body: (tx: Queryable) => Promise<void>): Promise<void> {
    try {
      await inTransaction(this.db, body);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.PACKAGE_NAME_TAKEN,
          `a package named "${name}" already exists`,
        );
      throw err;
    }
  }
}

function describeUsers(users: repo.PackageUsers): string {
  const parts = [
    ...users.deployments.map((d) => `deployment "${d.name}"`),
    ...users.phasedDeployments.map((d) => `phased deployment "${d.name}"`),
    ...users.dependentPrograms.map((p) => `program "${p.name}"`),
  ];
  return parts.slice(0, 5).join(', ') + (parts.length > 5 ? ` and ${parts.length - 5} more` : '');
}
