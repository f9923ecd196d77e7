import { ConflictError, InputError, ErrorCode } from '@steward/protocol';
import type {
  DistributeRequest,
  DpCompletionRow,
  DpContentStatus,
  PackageContentStatus,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import type { ContentStore } from '../content/content-store.js';
import {
  findPackage,
  findVersion,
  loadVersionFiles,
  type VersionRef,
} from '../content/repository.js';
import { mustFindPackage } from '../content/find-package.js';
import {
  dpCompletion,
  findSiteServerTarget,
  listContentStatus,
  moveTargetsToVersion,
  packageContentStatus,
  removeTarget,
  requestValidation,
  targetDps,
  type PackageRow,
} from './content-status-repository.js';
import {
  findDpGroup,
  givePackageToGroups,
  resolveDpIds,
  SITE_SERVER_DP_ID,
} from './dp-repository.js';
import { mustFindDp } from './dp-service.js';
import { applyDpStatusItem } from './dp-status.js';
import { inTransaction } from '../db/database.js';

/**
 * Content on distribution points: distributing a package's current version to DPs and DP groups,
 * the status view, validate content, and following new versions. The site server's own DP needs
 * no transfer: the library is its store, so it is installed as soon as every file is there.
 */
export class DistributionService {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
  ) {}

  /** Follows new current versions (H1's `content-changed`): every target moves to it. */
  start(): void {
    this.unsubscribe ??= this.ctx.bus.subscribe('content-changed', ({ packageId }) => {
      this.onContentChanged(packageId).catch((err: unknown) =>
        this.ctx.log.error({ err, packageId }, 'moving DPs to the new package version failed'),
      );
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async currentVersion(pkg: PackageRow): Promise<VersionRef | undefined> {
    return pkg.current_version_id
      ? findVersion(this.ctx.db.kysely, pkg.current_version_id)
      : undefined;
  }

  async distribute(
    actor: Actor,
    idOrName: string,
    req: DistributeRequest,
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    const pkg = await mustFindPackage(this.ctx.db.kysely, idOrName);
    const version = await this.currentVersion(pkg);
    if (!version)
      throw new ConflictError(
        ErrorCode.PACKAGE_HAS_NO_CONTENT,
        `package "${pkg.name}" has no version yet: add content first`,
      );
    const db = this.ctx.db.kysely;
    const { dpIds, groupIds } = await this.resolveTargets(req);
    const at = nowIso(this.ctx);
    const touched = await inTransaction(db, async (tx) => {
      const members = await givePackageToGroups(tx, { packageId: pkg.id, groupIds });
      const targets = [...new Set([...dpIds, ...members])];
      // Rows left on an older version (an event missed while no process listened) catch up.
      const moved = await moveTargetsToVersion(tx, { packageId: pkg.id, version, at });
      const added = await targetDps(tx, { packageId: pkg.id, version, dpIds: targets, at });
      await writeAudit(tx, actor, at, {
        action: 'package.distribute',
        targetType: 'package',
        targetId: pkg.id,
        details: { name: pkg.name, dpIds: targets, dpGroupIds: groupIds, added },
      });
      return [...added, ...moved];
    });
    if (touched.includes(SITE_SERVER_DP_ID)) await this.installOnSiteServer(pkg.id);
    return packageContentStatus(db, pkg);
  }

  /**
   * The DPs and DP groups a distribute request names, by id or name; DP_NOT_FOUND or
   * DP_GROUP_NOT_FOUND before anything is written (callers that prepare content first ask here).
   */
  async resolveTargets(req: DistributeRequest): Promise<{ dpIds: string[]; groupIds: string[] }> {
    const dps = await resolveDpIds(this.ctx.db.kysely, req.dpIds ?? []);
    if (dps.unknown !== undefined)
      throw new InputError(
        ErrorCode.DP_NOT_FOUND,
        `distribution point "${dps.unknown}" does not exist`,
      );
    return { dpIds: dps.ids, groupIds: await this.resolveGroupIds(req.dpGroupIds ?? []) };
  }

  private async resolveGroupIds(idsOrNames: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const idOrName of new Set(idsOrNames)) {
      const row = await findDpGroup(this.ctx.db.kysely, idOrName);
      if (!row)
        throw new InputError(ErrorCode.DP_GROUP_NOT_FOUND, `DP group "${idOrName}" does not exist`);
      out.push(row.id);
    }
    return out;
  }

  /** Stops distributing a package to a DP; the DP deletes the files at its next poll. */
  async removeFromDp(actor: Actor, idOrName: string, dpIdOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const pkg = await mustFindPackage(this.ctx.db.kysely, idOrName);
    const dp = await mustFindDp(this.ctx.db.kysely, dpIdOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await removeTarget(tx, { dpId: dp.id, packageId: pkg.id });
      await writeAudit(tx, actor, at, {
        action: 'package.remove-from-dp',
        targetType: 'package',
        targetId: pkg.id,
        details: { name: pkg.name, dpId: dp.id, dpName: dp.name },
      });
    });
  }

  async contentStatus(actor: Actor, idOrName: string): Promise<PackageContentStatus> {
    authorize(actor, 'read');
    return packageContentStatus(
      this.ctx.db.kysely,
      await mustFindPackage(this.ctx.db.kysely, idOrName),
    );
  }

  async dpContent(actor: Actor, dpIdOrName: string): Promise<DpContentStatus[]> {
    authorize(actor, 'read');
    const dp = await mustFindDp(this.ctx.db.kysely, dpIdOrName);
    return listContentStatus(this.ctx.db.kysely, { dpId: dp.id });
  }

  /**
   * "Validate content": remote DPs re-hash at their next poll and report; the site server's
   * copy (the library) is re-hashed here and now.
   */
  async validate(
    actor: Actor,
    idOrName: string,
    dpIdsOrNames?: readonly string[],
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    const pkg = await mustFindPackage(this.ctx.db.kysely, idOrName);
    const db = this.ctx.db.kysely;
    let dpIds: string[] | undefined;
    if (dpIdsOrNames !== undefined) {
      const r = await resolveDpIds(db, dpIdsOrNames);
      if (r.unknown !== undefined)
        throw new InputError(
          ErrorCode.DP_NOT_FOUND,
          `distribution point "${r.unknown}" does not exist`,
        );
      dpIds = r.ids;
    }
    const at = nowIso(this.ctx);
    await inTransaction(db, async (tx) => {
      await requestValidation(tx, { packageId: pkg.id, dpIds, at });
      await writeAudit(tx, actor, at, {
        action: 'package.validate-content',
        targetType: 'package',
        targetId: pkg.id,
        details: { name: pkg.name, dpIds: dpIds ?? 'all' },
      });
    });
    if (dpIds === undefined || dpIds.includes(SITE_SERVER_DP_ID))
      await this.validateOnSiteServer(pkg.id);
    return packageContentStatus(db, pkg);
  }

  /** A package has a new current version: its targets move to it (state pending). */
  async onContentChanged(packageId: string): Promise<void> {
    const pkg = await findPackage(this.ctx.db.kysely, packageId);
    const version = pkg && (await this.currentVersion(pkg));
    if (!version) return;
    const at = nowIso(this.ctx);
    const moved = await moveTargetsToVersion(this.ctx.db.kysely, { packageId, version, at });
    if (moved.includes(SITE_SERVER_DP_ID)) await this.installOnSiteServer(packageId);
  }

  /**
   * The site server holds a version as soon as the library has every file of it: DISTRIBUTION_STARTED then DISTRIBUTED_TO_DP
   * at once. A file missing from the library (removed behind the site's back) fails it.
   */
  async installOnSiteServer(packageId: string): Promise<void> {
    const row = await this.siteServerTarget(packageId);
    if (!row || row.state !== 'pending') return;
    const missing = await this.missingFiles(row.version);
    await applyDpStatusItem(this.ctx, row.dp, {
      packageVersionId: row.version.id,
      state: missing.length === 0 ? 'installed' : 'failed',
      bytesDone: missing.length === 0 ? row.version.size_bytes : 0,
      bytesTotal: row.version.size_bytes,
      ...(missing.length
        ? { message: `${missing.length} file(s) missing from the content library` }
        : {}),
    });
  }

  private async validateOnSiteServer(packageId: string): Promise<void> {
    const row = await this.siteServerTarget(packageId);
    if (!row) return;
    const bad = await this.missingFiles(row.version, true);
    await applyDpStatusItem(this.ctx, row.dp, {
      packageVersionId: row.version.id,
      state: bad.length === 0 ? 'installed' : 'validation-failed',
      bytesDone: bad.length === 0 ? row.version.size_bytes : 0,
      bytesTotal: row.version.size_bytes,
      validatedAt: nowIso(this.ctx),
      ...(bad.length ? { badFiles: bad.slice(0, 1000) } : {}),
    });
  }

  private async siteServerTarget(packageId: string) {
    const db = this.ctx.db.kysely;
    const row = await findSiteServerTarget(db, packageId);
    const version = row && (await findVersion(db, row.version_id));
    if (!row || !version) return undefined;
    return { state: row.state, version, dp: { id: row.id, name: row.name } };
  }

  /** Files of a version the library lacks (or, with `rehash`, holds with the wrong bytes). */
  private async missingFiles(version: VersionRef, rehash = false): Promise<string[]> {
    const files = await loadVersionFiles(this.ctx.db.kysely, version.id);
    const bad: string[] = [];
    for (const sha256 of new Set(files.map((f) => f.sha256))) {
      const good = rehash ? await this.store.verify(sha256) : await this.store.has(sha256);
      if (!good) bad.push(sha256);
    }
    return bad;
  }

  async distributionStatusReport(
    actor: Actor,
    q: { package?: string | undefined; dp?: string | undefined },
  ): Promise<DpContentStatus[]> {
    authorize(actor, 'read');
    const pkg =
      q.package === undefined ? undefined : await mustFindPackage(this.ctx.db.kysely, q.package);
    const dp = q.dp === undefined ? undefined : await mustFindDp(this.ctx.db.kysely, q.dp);
    return listContentStatus(this.ctx.db.kysely, { packageId: pkg?.id, dpId: dp?.id });
  }

  async dpCompletionReport(actor: Actor): Promise<DpCompletionRow[]> {
    authorize(actor, 'read');
    return dpCompletion(this.ctx.db.kysely);
  }
}
