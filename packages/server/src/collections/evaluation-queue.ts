import type { SiteContext } from '../context.js';
import { loadClassCatalog } from '../inventory/classes.js';
import { evaluateInOrder, type EvaluationResult } from './evaluator.js';
import { evaluationOrder, withDependants } from './graph.js';
import { listCollectionRows, toNode } from './repository.js';

/** Devices per incremental query: `d.id in (...)` stays well inside every parameter limit. */
const DIRTY_BATCH = 500;

/**
 * Runs every membership evaluation of this process one at a time (full, incremental, and the
 * immediate one after a definition changes), so two passes never diff the same collection at
 * once; across processes the collection row lock does the same (evaluator.ts).
 */
export class EvaluationQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private dirty = new Set<string>();

  constructor(private readonly ctx: SiteContext) {}

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Remembers devices whose inventory changed; evaluateDirty() re-evaluates them. */
  markDirty(deviceIds: readonly string[]): void {
    for (const id of deviceIds) this.dirty.add(id);
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** Full evaluation of the given collections and everything that depends on them, in dependency order. */
  evaluateWithDependants(ids: readonly string[]): Promise<EvaluationResult[]> {
    return this.serial(async () => {
      const catalog = await loadClassCatalog(this.ctx);
      const nodes = (await listCollectionRows(this.ctx.db.kysely)).map(toNode);
      return evaluateInOrder(this.ctx, withDependants(nodes, ids), { catalog });
    });
  }

  /**
   * Re-evaluates only the dirty devices against every collection, in dependency order, one
   * query per collection and batch. Devices are put back when the pass cannot run at all (the
   * database is away); a collection that fails on its own is reported (COLLECTION_EVALUATION_FAILED) and skipped.
   */
  evaluateDirty(): Promise<EvaluationResult[]> {
    return this.serial(async () => {
      if (this.dirty.size === 0) return [];
      const ids = [...this.dirty].sort();
      this.dirty.clear();
      const results: EvaluationResult[] = [];
      try {
        const catalog = await loadClassCatalog(this.ctx);
        const order = evaluationOrder((await listCollectionRows(this.ctx.db.kysely)).map(toNode));
        for (let i = 0; i < ids.length; i += DIRTY_BATCH) {
          results.push(
            ...(await evaluateInOrder(this.ctx, order, {
              catalog,
              deviceIds: ids.slice(i, i + DIRTY_BATCH),
            })),
          );
        }
      } catch (err) {
        this.markDirty(ids);
        throw err;
      }
      return results;
    });
  }

  /** Full evaluation of the collections whose interval has passed since their last evaluation. */
  evaluateDue(): Promise<EvaluationResult[]> {
    return this.serial(async () => {
      const rows = await listCollectionRows(this.ctx.db.kysely);
      const now = this.ctx.clock.now().getTime();
      const due = new Set(
        rows
          .filter(
            (r) =>
              r.last_evaluated_at === null ||
              Date.parse(r.last_evaluated_at) + r.evaluation_interval_minutes * 60_000 <= now,
          )
          .map((r) => r.id),
      );
      if (due.size === 0) return [];
      const catalog = await loadClassCatalog(this.ctx);
      const order = evaluationOrder(rows.map(toNode)).filter((id) => due.has(id));
      return evaluateInOrder(this.ctx, order, { catalog });
    });
  }

  /** Waits for the evaluations already queued (tests, shutdown). */
  async idle(): Promise<void> {
    await this.tail;
  }
}
