import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  listCompletions,
  validateQuery,
  type Collection,
  type CollectionDefinition,
  type CollectionPreview,
  type CollectionPreviewRequest,
  type CollectionRevision,
  type CompletionItem,
  type DeviceSummary,
  type MembershipChange,
  ConflictError,
  InputError,
  NotFoundError,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { inTransaction, type Queryable, type Tx } from '../db/database.js';
import { writeAudit } from '../audit/audit.js';
import { loadClassCatalog } from '../inventory/classes.js';
import { deviceSummariesByIds } from '../devices/repository.js';
import { EvaluationQueue } from './evaluation-queue.js';
import { dependantsOf } from './graph.js';
import { normaliseDefinition, sameDefinition, type StoredDefinition } from './definition.js';
import * as repo from './repository.js';
import * as membership from './membership-repository.js';
import { validateDefinition, validateRules } from './validation.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import {
  changeDirectMembers,
  type DirectMemberChange,
  type DirectMemberOutcome,
} from './direct-members.js';

const PREVIEW_SAMPLE = 20;

/**
 * Collections: definitions with their revision history, membership evaluation (full, scheduled,
 * incremental on inventory changes), previews, and query validation for the console's editor.
 * Every public method taking an actor authorises first.
 */
export class CollectionService {
  private readonly queue: EvaluationQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly ctx: SiteContext) {
    this.queue = new EvaluationQueue(ctx);
  }

  /** Follows inventory changes (new enrolments included) to re-evaluate those devices. */
  start(): void {
    this.unsubscribe ??= this.ctx.bus.subscribe('inventory-changed', ({ deviceIds }) =>
      this.markDirty(deviceIds),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  markDirty(deviceIds: readonly string[]): void {
    this.queue.markDirty(deviceIds);
  }

  /** Scheduler: incremental pass over the devices marked dirty since the last one. */
  async evaluateDirty(): Promise<void> {
    await this.queue.evaluateDirty();
  }

  /**
   * Full evaluation of every collection. A process that becomes the scheduler runs it first:
   * devices marked dirty in a process that stopped (or in this one before a restart) were only
   * held in memory, so membership is rebuilt rather than trusted.
   */
  async evaluateAll(): Promise<void> {
    const ids = (await repo.listCollectionRows(this.ctx.db.kysely)).map((r) => r.id);
    await this.queue.evaluateWithDependants(ids);
  }

  /** Scheduler: full evaluation of collections whose evaluation interval has passed. */
  async evaluateDue(): Promise<void> {
    await this.queue.evaluateDue();
  }

  private async mustFind(db: Queryable, idOrName: string): Promise<repo.CollectionRow> {
    const row = await repo.findCollection(db, idOrName);
    if (!row) throw new NotFoundError('collection', idOrName);
    return row;
  }

  async list(actor: Actor): Promise<Collection[]> {
    authorize(actor, 'read');
    return (await repo.listCollectionRows(this.ctx.db.kysely)).map(repo.toCollection);
  }

  async get(actor: Actor, idOrName: string): Promise<Collection> {
    authorize(actor, 'read');
    return repo.toCollection(await this.mustFind(this.ctx.db.kysely, idOrName));
  }

  /** Creates a collection (revision 1) and evaluates it before returning, so its members show at once. */
  async create(actor: Actor, input: CollectionDefinition): Promise<Collection> {
    authorize(actor, 'collections:write');
    const def = normaliseDefinition(input);
    const catalog = await loadClassCatalog(this.ctx);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.write(
      async (tx) => {
        await validateDefinition(tx, def, { selfId: id, catalog });
        await repo.insertCollection(tx, { id, definition: def, builtin: false, at });
        await repo.insertRevision(tx, {
          collectionId: id,
          revision: 1,
          at,
          by: actor.userName,
          definition: def,
        });
        await writeAudit(tx, actor, at, {
          action: 'collection.create',
          targetType: 'collection',
          targetId: id,
          details: { name: def.name, revision: 1 },
        });
      },
      () => def.name,
    );
    await this.queue.evaluateWithDependants([id]);
    return this.get(actor, id);
  }

  /** Replaces a definition as a new revision; an identical definition changes nothing. */
  async update(actor: Actor, idOrName: string, input: CollectionDefinition): Promise<Collection> {
    authorize(actor, 'collections:write');
    return this.replaceDefinition(
      actor,
      idOrName,
      () => Promise.resolve(normaliseDefinition(input)),
      'collection.update',
    );
  }

  /** Walks a change back: a new revision whose definition equals revision `revision`. */
  async restoreRevision(actor: Actor, idOrName: string, revision: number): Promise<Collection> {
    authorize(actor, 'collections:write');
    return this.replaceDefinition(
      actor,
      idOrName,
      async (tx, id) => {
        const old = await repo.findRevision(tx, { collectionId: id, revision });
        if (!old) throw new NotFoundError(`revision of collection "${idOrName}"`, String(revision));
        return normaliseDefinition(old.definition);
      },
      'collection.restore',
      { restoredRevision: revision },
    );
  }

  private async replaceDefinition(
    actor: Actor,
    idOrName: string,
    definition: (tx: Tx, id: string) => Promise<StoredDefinition>,
    action: string,
    details: Record<string, unknown> = {},
  ): Promise<Collection> {
    const catalog = await loadClassCatalog(this.ctx);
    const at = nowIso(this.ctx);
    let changedId: string | undefined;
    let name = idOrName;
    await this.write(
      async (tx) => {
        const row = await this.mustFind(tx, idOrName);
        if (row.builtin === 1)
          throw new ConflictError(
            ErrorCode.COLLECTION_BUILTIN,
            `"${row.name}" is a built-in collection and cannot be changed`,
          );
        const def = await definition(tx, row.id);
        name = def.name;
        if (sameDefinition(repo.definitionOf(row), def)) return;
        await validateDefinition(tx, def, { selfId: row.id, catalog });
        const revision = row.revision + 1;
        await repo.updateCollectionDefinition(tx, { id: row.id, definition: def, revision, at });
        await repo.insertRevision(tx, {
          collectionId: row.id,
          revision,
          at,
          by: actor.userName,
          definition: def,
        });
        await writeAudit(tx, actor, at, {
          action,
          targetType: 'collection',
          targetId: row.id,
          details: { ...details, name: def.name, revision },
        });
        changedId = row.id;
      },
      () => name,
    );
    if (changedId) await this.queue.evaluateWithDependants([changedId]);
    return this.get(actor, changedId ?? idOrName);
  }

  /** One transaction; a concurrent create with the same name loses on the unique index. */
  private async write(body: (tx: Tx) => Promise<void>, name: () => string): Promise<void> {
    try {
      await inTransaction(this.ctx.db.kysely, body);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.COLLECTION_NAME_TAKEN,
          `a collection named "${name()}" already exists`,
        );
      throw err;
    }
  }

  /** Deletes a user collection; refused for built-ins and while another collection names it. */
  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'collections:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, idOrName);
      if (row.builtin === 1)
        throw new ConflictError(
          ErrorCode.COLLECTION_BUILTIN,
          `"${row.name}" is a built-in collection and cannot be deleted`,
        );
      const rows = await repo.listCollectionRows(tx);
      const users = dependantsOf(rows.map(repo.toNode), row.id);
      if (users.length > 0) {
        const collections = rows
          .filter((r) => users.includes(r.id))
          .map((r) => ({ id: r.id, name: r.name }));
        const names = collections.map((c) => `"${c.name}"`).join(', ');
        throw new ConflictError(
          ErrorCode.COLLECTION_IN_USE,
          `"${row.name}" is used by ${names}; change those first`,
          { collections },
        );
      }
      // Deployments and rollout phases name their collection: deleting it would orphan them.
      const deployments = await repo.deploymentsTargeting(tx, row.id);
      if (deployments.length > 0)
        throw new ConflictError(
          ErrorCode.COLLECTION_IN_USE,
          `"${row.name}" is the target of ${deployments.map((d) => `"${d.name}"`).join(', ')}; delete those deployments first`,
          { deployments },
        );
      await repo.deleteCollection(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'collection.delete',
        targetType: 'collection',
        targetId: row.id,
        details: { name: row.name, revision: row.revision },
      });
    });
  }

  /**
   * Bulk actions: direct members added or removed as one revision (collections/direct-members.ts)
   * inside the caller's transaction body; then the collection is evaluated. `after` runs in the
   * same transaction (the bulk action's one audit entry). The caller authorised.
   */
  async changeDirectMembers<T>(
    o: { collection: string; change: DirectMemberChange; by: string },
    after: (tx: Tx, outcome: DirectMemberOutcome) => Promise<T>,
  ): Promise<{ outcome: DirectMemberOutcome; value: T }> {
    const result = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const outcome = await changeDirectMembers(this.ctx, tx, o);
      return { outcome, value: await after(tx, outcome) };
    });
    if (result.outcome.changed.length > 0)
      await this.queue.evaluateWithDependants([result.outcome.collection.id]);
    return result;
  }

  /** Full evaluation now (and of the collections that depend on it). */
  async evaluate(actor: Actor, idOrName: string): Promise<Collection> {
    authorize(actor, 'collections:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    await this.queue.evaluateWithDependants([row.id]);
    const collection = await this.get(actor, row.id);
    await writeAudit(this.ctx.db.kysely, actor, nowIso(this.ctx), {
      action: 'collection.evaluate',
      targetType: 'collection',
      targetId: row.id,
      details: { name: row.name, memberCount: collection.memberCount },
    });
    return collection;
  }

  async members(
    actor: Actor,
    idOrName: string,
    page: { offset?: number | undefined; limit?: number | undefined },
  ): Promise<{ items: DeviceSummary[]; total: number }> {
    authorize(actor, 'read');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const { ids, total } = await membership.memberIdsPage(this.ctx.db.kysely, {
      collectionId: row.id,
      offset: page.offset ?? 0,
      limit: page.limit ?? 50,
    });
    return { items: await deviceSummariesByIds(this.ctx, ids), total };
  }

  async membershipHistory(
    actor: Actor,
    idOrName: string,
    q: {
      limit?: number | undefined;
      before?: string | undefined;
      device?: string | undefined;
      change?: 'added' | 'removed' | undefined;
    },
  ): Promise<MembershipChange[]> {
    authorize(actor, 'read');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    return membership.membershipHistory(this.ctx.db.kysely, {
      collectionId: row.id,
      limit: q.limit ?? 100,
      before: q.before,
      device: q.device,
      change: q.change,
    });
  }

  async revisions(actor: Actor, idOrName: string): Promise<CollectionRevision[]> {
    authorize(actor, 'read');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    return repo.listRevisions(this.ctx.db.kysely, row.id);
  }

  /** Members that unsaved rules would have now: a count and the first few, writing nothing. */
  async preview(actor: Actor, req: CollectionPreviewRequest): Promise<CollectionPreview> {
    authorize(actor, 'read');
    const catalog = await loadClassCatalog(this.ctx);
    const db = this.ctx.db.kysely;
    await validateRules(db, req, catalog);
    const { count, sampleIds } = await membership.previewMembers(db, {
      dialect: this.ctx.db.dialect,
      definition: { rules: req.rules, limitingCollectionId: req.limitingCollectionId ?? null },
      catalog,
      sampleSize: PREVIEW_SAMPLE,
    });
    return { count, sample: await deviceSummariesByIds(this.ctx, sampleIds) };
  }

  /** Checks a query for the editor; a problem is a 400 whose details are the QueryError. */
  async validateQuery(actor: Actor, text: string): Promise<{ ok: true }> {
    authorize(actor, 'read');
    const result = validateQuery(text, await loadClassCatalog(this.ctx));
    if (result.ok) return { ok: true };
    const { code, ...error } = result.error;
    throw new InputError(code, error.message, error);
  }

  /** Class names, or the properties of one class, for the editor's completion list. */
  async completions(actor: Actor, className?: string): Promise<CompletionItem[]> {
    authorize(actor, 'read');
    return listCompletions(await loadClassCatalog(this.ctx), className);
  }

  /** Waits for queued evaluations (tests and shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }
}
