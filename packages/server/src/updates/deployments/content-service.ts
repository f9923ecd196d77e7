import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  UnavailableError,
  type ApprovedContent,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize } from '../../context.js';
import type { ContentService } from '../../content/service.js';
import type { SecretBox } from '../../site/secret-box.js';
import { RepositoryError } from '../apt/repository-client.js';
import { SignatureError } from '../apt/signature.js';
import { findSource, type SourceRow } from '../repository.js';
import { buildApprovedRepository } from './approved-repo.js';
import { binariesOf, findGroup, groupMembers } from './group-repository.js';
import { SiteRepoKey } from './site-repo-key.js';

const E = ErrorCode;

/**
 * A group's approved content (ADR 0050): the site-signed apt repository of exactly its approved
 * binary versions, stored as a version of the content package `updates-<group id>`, so DPs hold
 * and serve it like any other content.
 */
export class ApprovedContentService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly content: ContentService,
    private readonly secrets: SecretBox,
  ) {}

  async publishGroup(actor: Actor, idOrName: string): Promise<ApprovedContent> {
    authorize(actor, 'software:write');
    const db = this.ctx.db.kysely;
    const group = await findGroup(db, idOrName);
    if (!group) throw new NotFoundError('update group', idOrName, E.UPDATE_GROUP_NOT_FOUND);
    const updateIds = (await groupMembers(db, [group.id])).get(group.id) ?? [];
    const binaries = await binariesOf(db, updateIds);
    const custom = (await groupMembers(db, [group.id], 'custom')).get(group.id) ?? [];
    // Checked before anything is written (the site key included). A group of custom updates
    // only is published too (ADR 0083): its repository is empty but signed, and its package is
    // what its deployments' software deployment runs; the custom programs bring their own.
    if (binaries.length === 0 && custom.length === 0)
      throw new InputError(E.UPDATE_GROUP_EMPTY, `update group "${group.name}" has no updates`);
    const sources = new Map<string, SourceRow>();
    for (const id of new Set(binaries.map((b) => b.sourceId))) {
      const s = await findSource(db, id);
      if (s) sources.set(id, s);
    }
    const key = await SiteRepoKey.loadOrCreate(db, this.secrets, this.ctx.siteCode);
    const dir = await mkdtemp(join(tmpdir(), 'steward-approved-'));
    try {
      const built = await buildApprovedRepository({
        sources,
        binaries,
        outDir: dir,
        key,
        now: this.ctx.clock.now(),
      }).catch((err: unknown) => {
        if (err instanceof RepositoryError || err instanceof SignatureError)
          throw new UnavailableError(
            E.UPDATE_DEPLOYMENT_SOURCE_FAILED,
            `building the approved content: ${err.message}`,
          );
        throw err;
      });
      if (built.missing.length > 0)
        throw new ConflictError(
          E.UPDATE_DEPLOYMENT_CONTENT_MISSING,
          `${built.missing.length} approved binaries are no longer in their update source: ` +
            built.missing
              .slice(0, 5)
              .map((b) => `${b.package} ${b.version}`)
              .join(', '),
          { missing: built.missing },
        );
      const packageName = `updates-${group.id}`;
      const existing = await this.content.list(actor, packageName);
      const pkg =
        existing.find((p) => p.name === packageName) ??
        (await this.content.create(actor, {
          name: packageName,
          description: `Approved updates of update group "${group.name}" (site-signed apt repository)`,
        }));
      const version = await this.content.createVersionFromSiteFolder(actor, pkg.id, dir);
      return {
        packageId: pkg.id,
        packageName,
        versionId: version.id,
        versionNumber: version.number,
        binaries: built.included.length,
        signedBy: key.fingerprint,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
