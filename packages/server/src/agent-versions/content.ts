import {
  ErrorCode,
  NotFoundError,
  type AgentPackageFile,
  type DistributeRequest,
  type PackageContentStatus,
  type ValidateContentRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { inTransaction, type Queryable } from '../db/database.js';
import { findPackage } from '../content/repository.js';
import { insertPackageWithVersion } from '../content/versions.js';
import type { DistributionService } from '../distribution/distribution-service.js';
import * as repo from './repository.js';

/** The content-library package name of an agent version (one package per version, ADR 0042). */
export function agentVersionPackageName(version: string): string {
  return `steward-agent-${version}`;
}

/**
 * Creates the package holding a version's files, current version 1, and names it on the
 * version row; inside the caller's transaction (registration, or the first distribution of a
 * version registered before ADR 0042).
 */
export async function createVersionPackage(
  tx: Queryable,
  input: { version: string; files: readonly AgentPackageFile[]; at: string; createdBy: string },
): Promise<string> {
  const { packageId } = await insertPackageWithVersion(tx, {
    name: agentVersionPackageName(input.version),
    description: `Packages of Steward agent ${input.version} (Administration > Client versions)`,
    publisher: 'Steward',
    version: input.version,
    files: input.files.map((f) => ({
      path: f.name,
      sha256: f.sha256,
      size: f.size,
      mode: f.kind === 'sea' ? 0o755 : 0o644,
    })),
    at: input.at,
    createdBy: input.createdBy,
  });
  await repo.setVersionPackage(tx, { version: input.version, packageId });
  return packageId;
}

const EMPTY_STATUS = {
  packageId: '',
  versionNumber: null,
  targeted: 0,
  installed: 0,
  distributing: 0,
  failed: 0,
  percentComplete: 0,
  distributionPoints: [],
} satisfies PackageContentStatus;

/**
 * Agent versions on distribution points (issue 9, ADR 0042): each version's packages are one
 * content-library package, so distributing, the per-DP status and "validate content" are the
 * distribution domain's, unchanged; this only finds (or, for a version registered before, first
 * creates) that package.
 */
export class AgentVersionContentService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly distribution: DistributionService,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private async row(version: string): Promise<repo.AgentVersionRow> {
    const row = await repo.findVersionRow(this.db, version);
    if (!row) throw new NotFoundError('agent version', version, ErrorCode.AGENT_VERSION_NOT_FOUND);
    return row;
  }

  /** The version's package id, creating the package the first time (nothing else is written). */
  private async ensurePackage(actor: Actor, version: string): Promise<string> {
    const at = nowIso(this.ctx);
    return inTransaction(this.db, async (tx) => {
      const row = await repo.findVersionRow(tx, version);
      if (!row)
        throw new NotFoundError('agent version', version, ErrorCode.AGENT_VERSION_NOT_FOUND);
      if (row.package_id !== null && (await findPackage(tx, row.package_id))) return row.package_id;
      const files = (await repo.filesOf(tx, [version])).get(version) ?? [];
      return createVersionPackage(tx, {
        version,
        files: files.map(repo.toFile),
        at,
        createdBy: actor.userName,
      });
    });
  }

  async distribute(
    actor: Actor,
    version: string,
    req: DistributeRequest,
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    await this.row(version);
    // Unknown DPs or groups are refused before the package of an older version is created.
    await this.distribution.resolveTargets(req);
    const packageId = await this.ensurePackage(actor, version);
    return this.distribution.distribute(actor, packageId, req);
  }

  async contentStatus(actor: Actor, version: string): Promise<PackageContentStatus> {
    authorize(actor, 'read');
    const row = await this.row(version);
    if (row.package_id === null) return EMPTY_STATUS;
    return this.distribution.contentStatus(actor, row.package_id);
  }

  async validate(
    actor: Actor,
    version: string,
    req: ValidateContentRequest,
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    const row = await this.row(version);
    if (row.package_id === null) return EMPTY_STATUS;
    return this.distribution.validate(actor, row.package_id, req.dpIds);
  }
}
