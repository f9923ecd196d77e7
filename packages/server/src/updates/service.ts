import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictError,
  dearmorKeyring,
  ErrorCode,
  InputError,
  NotFoundError,
  UPDATE_SOURCE_DEFAULTS,
  type ListUpdatesQuery,
  type ListUpdateSyncsQuery,
  type SoftwareUpdate,
  type UpdateSource,
  type UpdateSourceInput,
  type UpdateSourcePatch,
  type UpdateSync,
  type UpdateSyncTrigger,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso, SYSTEM_ACTOR } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import {
  deleteSourceRow,
  findSource,
  findSyncs,
  insertSource,
  insertSync,
  listSources,
  listSyncs,
  listUpdates,
  runningSync,
  sourcesDue,
  staleRunningSyncs,
  finishSync,
  updateCounts,
  updateSourceRow,
  findSync,
  sourceLists,
  updateBinaries,
  type SourceRow,
  type SyncRow,
  type UpdateFilter,
  type UpdateRow,
} from './repository.js';
import { runSync } from './sync-runner.js';
import { updateReferences } from './advisories/repository.js';
import { expiresAt, expiryCutoff } from './advisories/expiry.js';
import { catalogChanged } from './compliance/applicability-repository.js';
import { currentCatalogVersion } from './compliance/catalog-version-repository.js';
import { currentPairCounts } from './compliance/overview-repository.js';

const E = ErrorCode;
/** A running sync whose progress has not moved for this long lost its process. */
const STALE_MS = 10 * 60_000;

function toSync(r: SyncRow): UpdateSync {
  return {
    id: r.id,
    sourceId: r.source_id,
    state: r.state,
    trigger: r.trigger,
    requestedBy: r.requested_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    indexesTotal: r.indexes_total,
    indexesDone: r.indexes_done,
    packagesRead: r.packages_read,
    added: r.added,
    superseded: r.superseded,
    failure: r.failure,
    error: r.error,
  };
}

type UpdateRefs = Awaited<ReturnType<typeof updateReferences>>;

function toUpdate(r: UpdateRow, refs: UpdateRefs, now: Date): SoftwareUpdate {
  const ref = refs.get(r.id);
  const expires = expiresAt(r.superseded_at);
  return {
    id: r.id,
    sourceId: r.source_id,
    sourceName: r.source_name,
    package: r.package,
    version: r.version,
    classification: r.classification,
    binaries: updateBinaries(r),
    firstSeenAt: r.first_seen_at,
    publishedAt: r.published_at ?? r.first_seen_at,
    revisedAt: r.revised_at,
    revision: r.revision,
    supersededAt: r.superseded_at,
    supersededBy: r.superseded_by,
    severity: ref?.severity ?? 'unknown',
    cves: ref?.cves ?? [],
    advisories: ref?.advisories ?? [],
    expiresAt: expires,
    expired: expires !== null && Date.parse(expires) <= now.getTime(),
  };
}

function checkKeyring(keyring: string): void {
  const k = dearmorKeyring(keyring);
  if ('error' in k)
    throw new InputError(E.UPDATE_SOURCE_INVALID_KEYRING, `keyring: ${k.error}`, {
      field: 'keyring',
    });
}

/**
 * Update sources and their syncs (issue 10, ADR 0039). A sync runs in the background of the
 * process that started it; its row carries the progress every process can read, and a sync
 * whose process died is failed as interrupted by the next scheduled pass.
 */
export class UpdateCatalogService {
  private readonly runs = new Map<string, Promise<void>>();

  /**
   * @param listsDir where each source's last indexes are kept between syncs (the server's
   * `<dataDir>/apt-lists`); a cache only: losing it costs one full read.
   */
  constructor(
    private readonly ctx: SiteContext,
    private readonly listsDir = join(tmpdir(), 'steward-apt-lists'),
  ) {}

  private async toSource(r: SourceRow, counts?: Map<string, number>): Promise<UpdateSource> {
    const last = r.last_sync_id
      ? (await findSyncs(this.ctx.db.kysely, [r.last_sync_id])).get(r.last_sync_id)
      : undefined;
    const n = counts ?? (await updateCounts(this.ctx.db.kysely));
    return {
      id: r.id,
      name: r.name,
      url: r.url,
      suite: r.suite,
      ...sourceLists(r),
      keyring: r.keyring,
      syncIntervalHours: r.sync_interval_hours,
      enabled: r.enabled === 1,
      createdAt: r.created_at,
      signedBy: r.signed_by,
      lastSync: last ? toSync(last) : null,
      updateCount: n.get(r.id) ?? 0,
    };
  }

  private async mustFind(idOrName: string): Promise<SourceRow> {
    const row = await findSource(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('update source', idOrName, E.UPDATE_SOURCE_NOT_FOUND);
    return row;
  }

  async listSources(actor: Actor): Promise<{ items: UpdateSource[]; total: number }> {
    authorize(actor, 'read');
    const rows = await listSources(this.ctx.db.kysely);
    const counts = await updateCounts(this.ctx.db.kysely);
    const items = await Promise.all(rows.map((r) => this.toSource(r, counts)));
    return { items, total: items.length };
  }

  async getSource(actor: Actor, idOrName: string): Promise<UpdateSource> {
    authorize(actor, 'read');
    return this.toSource(await this.mustFind(idOrName));
  }

  async createSource(actor: Actor, input: UpdateSourceInput): Promise<UpdateSource> {
    authorize(actor, 'software:write');
    checkKeyring(input.keyring);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await insertSource(tx, {
          id,
          name: input.name,
          url: input.url,
          suite: input.suite,
          components: JSON.stringify(input.components),
          architectures: JSON.stringify(input.architectures),
          keyring: input.keyring,
          sync_interval_hours: input.syncIntervalHours ?? UPDATE_SOURCE_DEFAULTS.syncIntervalHours,
          enabled: input.enabled === false ? 0 : 1,
          created_at: at,
          created_by: actor.userName,
        });
        await writeAudit(tx, actor, at, {
          action: 'update-source.create',
          targetType: 'update-source',
          targetId: id,
          details: { name: input.name, url: input.url, suite: input.suite },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          E.UPDATE_SOURCE_NAME_TAKEN,
          `an update source named "${input.name}" exists`,
        );
      throw err;
    }
    return this.toSource(await this.mustFind(id));
  }

  async updateSource(
    actor: Actor,
    idOrName: string,
    patch: UpdateSourcePatch,
  ): Promise<UpdateSource> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    if (patch.keyring !== undefined) checkKeyring(patch.keyring);
    // Where the catalog comes from changed: the next sync reads everything again.
    const moved =
      (patch.url !== undefined && patch.url !== row.url) ||
      (patch.suite !== undefined && patch.suite !== row.suite) ||
      patch.keyring !== undefined ||
      patch.components !== undefined ||
      patch.architectures !== undefined;
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await updateSourceRow(tx, row.id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.suite !== undefined ? { suite: patch.suite } : {}),
          ...(patch.components ? { components: JSON.stringify(patch.components) } : {}),
          ...(patch.architectures ? { architectures: JSON.stringify(patch.architectures) } : {}),
          ...(patch.keyring !== undefined ? { keyring: patch.keyring } : {}),
          ...(patch.syncIntervalHours !== undefined
            ? { sync_interval_hours: patch.syncIntervalHours }
            : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
          ...(moved ? { release_sha256: null } : {}),
        });
        await writeAudit(tx, actor, at, {
          action: 'update-source.update',
          targetType: 'update-source',
          targetId: row.id,
          details: { ...patch, keyring: patch.keyring === undefined ? undefined : '(changed)' },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          E.UPDATE_SOURCE_NAME_TAKEN,
          `an update source named "${patch.name ?? ''}" exists`,
        );
      throw err;
    }
    return this.toSource(await this.mustFind(row.id));
  }

  async deleteSource(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteSourceRow(tx, row.id);
      await catalogChanged(tx, this.ctx.db.dialect, nowIso(this.ctx));
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'update-source.delete',
        targetType: 'update-source',
        targetId: row.id,
        details: { name: row.name },
      });
    });
    // Its kept indexes go with it (a running sync of it fails at its end).
    await rm(join(this.listsDir, row.id), { recursive: true, force: true });
  }

  /** Records a running sync and starts it in the background; answers it at once. */
  async startSync(
    actor: Actor,
    idOrName: string,
    trigger: UpdateSyncTrigger = 'manual',
  ): Promise<UpdateSync> {
    authorize(actor, 'software:write');
    const source = await this.mustFind(idOrName);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const running = await runningSync(tx, source.id);
      if (running)
        throw new ConflictError(
          E.UPDATE_SYNC_RUNNING,
          `update source "${source.name}" is already syncing (sync ${running.id})`,
        );
      await insertSync(tx, {
        id,
        source_id: source.id,
        state: 'running',
        trigger,
        requested_by: actor.userName,
        started_at: at,
        progress_at: at,
      });
      await updateSourceRow(tx, source.id, { last_sync_id: id, last_sync_started_at: at });
      if (trigger === 'manual')
        await writeAudit(tx, actor, at, {
          action: 'update-source.sync',
          targetType: 'update-source',
          targetId: source.id,
          details: { sync: id },
        });
    });
    const done = runSync(this.ctx, source, id, this.listsDir).finally(() => this.runs.delete(id));
    this.runs.set(id, done);
    const row = await findSync(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('update sync', id, E.UPDATE_SOURCE_NOT_FOUND);
    return toSync(row);
  }

  async listSyncs(
    actor: Actor,
    idOrName: string,
    q: ListUpdateSyncsQuery,
  ): Promise<{ items: UpdateSync[]; total: number }> {
    authorize(actor, 'read');
    const source = await this.mustFind(idOrName);
    const page = await listSyncs(this.ctx.db.kysely, source.id, {
      offset: q.offset ?? 0,
      limit: q.limit ?? 20,
    });
    return { items: page.rows.map(toSync), total: page.total };
  }

  async listUpdates(
    actor: Actor,
    q: ListUpdatesQuery,
  ): Promise<{ items: SoftwareUpdate[]; total: number }> {
    authorize(actor, 'read');
    const page = await this.matching(q, { offset: q.offset ?? 0, limit: q.limit ?? 50 });
    // The list's installed and required columns, for the page's updates only.
    const db = this.ctx.db.kysely;
    const pairs = await currentPairCounts(
      db,
      await currentCatalogVersion(db),
      page.items.map((u) => u.id),
    );
    const count = (id: string, state: 'installed' | 'required') =>
      pairs.filter((p) => p.updateId === id && p.state === state).reduce((n, p) => n + p.n, 0);
    return {
      ...page,
      items: page.items.map((u) => ({
        ...u,
        installed: count(u.id, 'installed'),
        required: count(u.id, 'required'),
      })),
    };
  }

  /**
   * Catalog updates a filter matches, newest first, with their advisory references (the
   * catalog list, and automatic deployment rules' runs and previews: ADR 0072).
   */
  async matching(
    f: UpdateFilter,
    pageOf: { offset: number; limit: number },
  ): Promise<{ items: SoftwareUpdate[]; total: number }> {
    const now = this.ctx.clock.now();
    const page = await listUpdates(
      this.ctx.db.kysely,
      { ...f, expiredBefore: expiryCutoff(now) },
      pageOf,
    );
    const refs = await updateReferences(
      this.ctx.db.kysely,
      page.rows.map((r) => r.id),
    );
    return { items: page.rows.map((r) => toUpdate(r, refs, now)), total: page.total };
  }

  async getUpdate(actor: Actor, id: string): Promise<SoftwareUpdate> {
    authorize(actor, 'read');
    const now = this.ctx.clock.now();
    const page = await listUpdates(
      this.ctx.db.kysely,
      { id, expiredBefore: expiryCutoff(now) },
      { offset: 0, limit: 1 },
    );
    const row = page.rows[0];
    if (!row) throw new NotFoundError('update', id, E.UPDATE_NOT_FOUND);
    const refs = await updateReferences(this.ctx.db.kysely, [row.id]);
    return toUpdate(row, refs, now);
  }

  /** The scheduler's pass: fails syncs whose process died, starts the syncs that are due. */
  async runScheduled(): Promise<void> {
    const now = this.ctx.clock.now();
    const stale = await staleRunningSyncs(
      this.ctx.db.kysely,
      new Date(now.getTime() - STALE_MS).toISOString(),
    );
    for (const s of stale)
      if (!this.runs.has(s.id))
        await finishSync(this.ctx.db.kysely, s.id, {
          state: 'failed',
          at: nowIso(this.ctx),
          added: 0,
          superseded: 0,
          failure: 'interrupted',
          error: 'the server process running this sync stopped',
        });
    for (const source of await sourcesDue(this.ctx.db.kysely, now)) {
      try {
        await this.startSync(SYSTEM_ACTOR, source.id, 'scheduled');
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }

  /** Waits for the syncs this process runs (server shutdown). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.runs.values()]);
  }
}
