import type pg from 'pg';
import type { SiteContext } from '../context.js';

export interface Job {
  name: string;
  /** 0: no repetition (a start-up job). */
  intervalMs: number;
  /** Run once as soon as this process becomes the leader. */
  runAtStart?: boolean;
  run(): Promise<unknown>;
}

const LOCK_RETRY_MS = 5_000;

/**
 * Runs the site's scheduled jobs in exactly one process. On SQLite there is one process; on
 * PostgreSQL the leader holds a session advisory lock on a dedicated connection, and another
 * process takes over within seconds when it dies (the lock goes with its session).
 */
export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private lockClient: pg.PoolClient | undefined;
  private stopped = false;
  private running = new Set<string>();
  leader = false;

  constructor(
    private readonly ctx: SiteContext,
    private readonly jobs: Job[],
    private readonly onLeader: () => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    if (this.ctx.db.dialect === 'sqlite') {
      this.becomeLeader();
      return;
    }
    await this.tryLead();
  }

  private async tryLead(): Promise<void> {
    if (this.stopped || this.leader) return;
    const pool = this.ctx.db.pgPool;
    if (!pool) return;
    try {
      this.lockClient ??= await pool.connect();
      const key = `steward-scheduler:${this.ctx.db.pgSchema ?? 'public'}`;
      const r = await this.lockClient.query<{ ok: boolean }>(
        'select pg_try_advisory_lock(hashtext($1)) as ok',
        [key],
      );
      if (r.rows[0]?.ok) {
        this.becomeLeader();
        return;
      }
    } catch (err) {
      this.ctx.log.warn({ err }, 'scheduler lock attempt failed');
      this.lockClient?.release(true);
      this.lockClient = undefined;
    }
    const t = setTimeout(() => void this.tryLead(), LOCK_RETRY_MS);
    t.unref();
    this.timers.push(t);
  }

  private becomeLeader(): void {
    if (this.stopped) return;
    this.leader = true;
    this.ctx.log.info({ processId: this.ctx.processId }, 'this process runs the scheduled jobs');
    this.onLeader();
    for (const job of this.jobs) {
      if (job.runAtStart) void this.runJob(job);
      if (job.intervalMs <= 0) continue;
      const t = setInterval(() => void this.runJob(job), job.intervalMs);
      t.unref();
      this.timers.push(t);
    }
  }

  /** Runs a job now unless it is still running (no overlap). */
  async runJob(job: Job): Promise<void> {
    if (this.running.has(job.name) || this.stopped) return;
    this.running.add(job.name);
    try {
      await job.run();
    } catch (err) {
      this.ctx.log.error({ err, job: job.name }, 'scheduled job failed');
    } finally {
      this.running.delete(job.name);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.lockClient) {
      // Releasing the connection ends the session and with it the advisory lock.
      this.lockClient.release(true);
      this.lockClient = undefined;
    }
    const deadline = Date.now() + 10_000;
    while (this.running.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  }
}
