import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  ConflictError,
  ErrorCode,
  NotFoundError,
  type Advisory,
  type AdvisoryFeed,
  type AdvisoryFeedInput,
  type AdvisoryImport,
  type CveView,
  type CveViewQuery,
  type AdvisoryFormat,
  ADVISORY_FEED_MAX_BYTES,
  type ListAdvisoriesQuery,
  type ListAdvisoryImportsQuery,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso, SYSTEM_ACTOR } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction } from '../../db/database.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import { cveView } from './cve-view.js';
import {
  fetchFeed,
  readBounded,
  parseOrRefuse,
  sha256,
  storeFailed,
  storeImport,
  storeUnchanged,
} from './import.js';
import {
  advisoryFixes,
  advisoryLists,
  deleteFeedRow,
  feedsDue,
  findAdvisory,
  findFeed,
  findImports,
  insertFeed,
  listAdvisories,
  listFeeds,
  listImports,
  type AdvisoryRow,
  type FeedRow,
  type ImportRow,
} from './repository.js';

const E = ErrorCode;

function toImport(r: ImportRow): AdvisoryImport {
  return {
    id: r.id,
    format: r.format,
    feedId: r.feed_id,
    state: r.state,
    requestedBy: r.requested_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    sha256: r.sha256,
    advisories: r.advisories,
    cves: r.cves,
    fixes: r.fixes,
    updatesEnriched: r.updates_enriched,
    error: r.error,
  };
}

/**
 * Advisory feeds, imports, advisories and the CVE view (issue 10, ADR 0048). An import parses
 * the whole feed before writing anything, then stores it, re-enriches the catalog and records
 * itself in one transaction.
 */
export class AdvisoryService {
  constructor(private readonly ctx: SiteContext) {}

  private async importRow(id: string): Promise<AdvisoryImport> {
    const [row] = await findImports(this.ctx.db.kysely, [id]);
    if (!row) throw new NotFoundError('advisory import', id);
    return toImport(row);
  }

  private async toFeed(r: FeedRow): Promise<AdvisoryFeed> {
    const [last] = r.last_import_id
      ? await findImports(this.ctx.db.kysely, [r.last_import_id])
      : [];
    return {
      id: r.id,
      name: r.name,
      format: r.format,
      url: r.url,
      intervalHours: r.interval_hours,
      createdAt: r.created_at,
      lastImport: last ? toImport(last) : null,
    };
  }

  private async toAdvisory(r: AdvisoryRow): Promise<Advisory> {
    const fixes = await advisoryFixes(this.ctx.db.kysely, r.id);
    return {
      id: r.id,
      kind: r.kind,
      title: r.title,
      description: r.description,
      severity: r.severity,
      publishedAt: r.published_at,
      ...advisoryLists(r),
      fixes: fixes.map((f) => ({
        release: f.release,
        package: f.package,
        fixedVersion: f.fixed_version ?? '',
      })),
      importedAt: r.imported_at,
    };
  }

  private async mustFindFeed(idOrName: string): Promise<FeedRow> {
    const row = await findFeed(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('advisory feed', idOrName, E.ADVISORY_FEED_NOT_FOUND);
    return row;
  }

  /** Imports an uploaded feed: read whole (bounded), parsed whole, then stored. */
  async importUpload(
    actor: Actor,
    format: AdvisoryFormat,
    body: Readable | Buffer,
  ): Promise<AdvisoryImport> {
    authorize(actor, 'software:write');
    const startedAt = nowIso(this.ctx);
    const bytes = Buffer.isBuffer(body) ? body : await readBounded(body, ADVISORY_FEED_MAX_BYTES);
    const parsed = parseOrRefuse(format, bytes);
    const id = await storeImport(this.ctx, actor, {
      format,
      feed: undefined,
      parsed,
      digest: sha256(bytes),
      startedAt,
    });
    return this.importRow(id);
  }

  async listFeeds(actor: Actor): Promise<{ items: AdvisoryFeed[]; total: number }> {
    authorize(actor, 'read');
    const rows = await listFeeds(this.ctx.db.kysely);
    const items = await Promise.all(rows.map((r) => this.toFeed(r)));
    return { items, total: items.length };
  }

  async createFeed(actor: Actor, input: AdvisoryFeedInput): Promise<AdvisoryFeed> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await insertFeed(tx, {
          id,
          name: input.name,
          format: input.format,
          url: input.url,
          interval_hours: input.intervalHours ?? 24,
          created_at: at,
          created_by: actor.userName,
        });
        await writeAudit(tx, actor, at, {
          action: 'advisory-feed.create',
          targetType: 'advisory-feed',
          targetId: id,
          details: { name: input.name, format: input.format, url: input.url },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          E.ADVISORY_FEED_NAME_TAKEN,
          `an advisory feed named "${input.name}" exists`,
        );
      throw err;
    }
    return this.toFeed(await this.mustFindFeed(id));
  }

  async deleteFeed(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFindFeed(idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteFeedRow(tx, row.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'advisory-feed.delete',
        targetType: 'advisory-feed',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  /**
   * Reads a feed now. On demand a failure is answered (and writes nothing); on the schedule it
   * is recorded as a failed import with its status message.
   */
  async importFeed(actor: Actor, idOrName: string, scheduled = false): Promise<AdvisoryImport> {
    authorize(actor, 'software:write');
    const feed = await this.mustFindFeed(idOrName);
    const startedAt = nowIso(this.ctx);
    try {
      const read = await fetchFeed(feed);
      if (read.unchanged)
        return await this.importRow(await storeUnchanged(this.ctx, actor, feed, startedAt));
      const parsed = parseOrRefuse(feed.format, read.bytes);
      const id = await storeImport(this.ctx, actor, {
        format: feed.format,
        feed,
        parsed,
        digest: read.digest,
        startedAt,
        headers: { etag: read.etag, lastModified: read.lastModified },
      });
      return await this.importRow(id);
    } catch (err) {
      if (scheduled)
        await storeFailed(
          this.ctx,
          actor,
          feed,
          startedAt,
          err instanceof Error ? err.message : String(err),
        );
      throw err;
    }
  }

  async listImports(
    actor: Actor,
    q: ListAdvisoryImportsQuery,
  ): Promise<{ items: AdvisoryImport[]; total: number }> {
    authorize(actor, 'read');
    const page = await listImports(this.ctx.db.kysely, {
      offset: q.offset ?? 0,
      limit: q.limit ?? 20,
    });
    return { items: page.rows.map(toImport), total: page.total };
  }

  async listAdvisories(
    actor: Actor,
    q: ListAdvisoriesQuery,
  ): Promise<{ items: Advisory[]; total: number }> {
    authorize(actor, 'read');
    const page = await listAdvisories(this.ctx.db.kysely, q, {
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    return {
      items: await Promise.all(page.rows.map((r) => this.toAdvisory(r))),
      total: page.total,
    };
  }

  async getAdvisory(actor: Actor, id: string): Promise<Advisory> {
    authorize(actor, 'read');
    const row = await findAdvisory(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('advisory', id, E.ADVISORY_NOT_FOUND);
    return this.toAdvisory(row);
  }

  async getCve(actor: Actor, id: string, q: CveViewQuery): Promise<CveView> {
    authorize(actor, 'read');
    return cveView(this.ctx.db.kysely, id, q);
  }

  /** The scheduler's pass: imports the feeds that are due; a failure is recorded, not thrown. */
  async runScheduled(): Promise<void> {
    for (const feed of await feedsDue(this.ctx.db.kysely, this.ctx.clock.now())) {
      try {
        await this.importFeed(SYSTEM_ACTOR, feed.id, true);
      } catch (err) {
        this.ctx.log.warn({ err, feed: feed.id }, 'scheduled advisory import failed');
      }
    }
  }
}
