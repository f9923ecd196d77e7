import { sql } from 'kysely';
import type { Db, Queryable, Tx } from './database.js';

type Work<T> = (tx: Tx) => Promise<T>;

/**
 * One caller's work, its type erased: run in the shared transaction, it gives back how to answer
 * the caller with its value once the COMMIT returned (the value keeps its type in that closure).
 */
interface Job {
  /** Runs the work in the shared transaction; the function it returns answers the caller. */
  run: (tx: Tx) => Promise<() => void>;
  reject: (error: unknown) => void;
}

/** Jobs sharing one commit: enough to amortise the fsync, few enough to keep readers waiting briefly. */
const MAX_GROUP = 16;

/**
 * Group commit for SQLite. With `synchronous=FULL` every COMMIT waits for an fsync, and
 * better-sqlite3 waits on the main thread: one transaction per agent report made the fsync the
 * largest cost of ingestion (35% of the wall time in the check-in benchmark's CPU profile).
 * Reports that arrive while a commit is under way are written together in the next transaction,
 * each inside its own savepoint, so a failing one rolls back alone; every caller is answered
 * only after the shared COMMIT returned, so nothing is acknowledged before it is durable.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private flushing = false;

  constructor(private readonly db: Queryable) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The value stays typed inside this closure, answered only once the COMMIT has returned.
      const run = async (tx: Tx) => {
        const value = await work(tx);
        return () => resolve(value);
      };
      this.queue.push({ run, reject });
      if (!this.flushing) {
        // Start on the next turn of the event loop, not now: requests whose bytes arrived during
        // the previous COMMIT's fsync are parsed first and join this group, so one fsync serves
        // all of them instead of the first one alone.
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const jobs = this.queue.splice(0, MAX_GROUP);
        const outcomes: ({ ok: true; answer: () => void } | { ok: false; error: unknown })[] = [];
        try {
          await this.db.transaction().execute(async (tx) => {
            for (const job of jobs) {
              await sql`savepoint steward_job`.execute(tx);
              try {
                const answer = await job.run(tx);
                await sql`release steward_job`.execute(tx);
                outcomes.push({ ok: true, answer });
              } catch (error) {
                await sql`rollback to steward_job`.execute(tx);
                await sql`release steward_job`.execute(tx);
                outcomes.push({ ok: false, error });
              }
            }
          });
        } catch (error) {
          // The commit itself failed: nothing of this group is stored, nothing is acknowledged.
          for (const job of jobs) job.reject(error);
          continue;
        }
        jobs.forEach((job, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) outcome.answer();
          else job.reject(outcome ? outcome.error : new Error('job did not run'));
        });
      }
    } finally {
      this.flushing = false;
    }
  }
}

const groups = new WeakMap<Db, GroupCommit>();

/**
 * Runs `work` in a transaction: on SQLite through the group commit, on PostgreSQL in a
 * transaction of its own (the server commits concurrent transactions in parallel already).
 */
export function inWriteTransaction<T>(db: Db, work: Work<T>): Promise<T> {
  if (db.dialect !== 'sqlite') return db.kysely.transaction().execute(work);
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db.kysely);
    groups.set(db, group);
  }
  return group.run(work);
}
