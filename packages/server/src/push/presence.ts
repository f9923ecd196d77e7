import type { SiteContext } from '../context.js';
import {
  PROCESS_STALE_MS,
  clearGoneProcesses,
  heartbeatProcess,
  releaseProcess,
} from '../devices/presence-repository.js';

/** How often a process refreshes its heartbeat and looks for processes that are gone. */
const HEARTBEAT_MS = 5_000;

/**
 * Keeps this process's push channels true in the database across processes (ADR 0035): a
 * heartbeat row per process; channels held by a process whose heartbeat stopped (a crash, a
 * kill) are cleared by any other process within PROCESS_STALE_MS + HEARTBEAT_MS, and on SQLite
 * (one process) by the next start at once.
 */
export class PushPresence {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  /** `reopen` re-records the channels this process holds (its row was cleared by another). */
  constructor(
    private readonly ctx: SiteContext,
    private readonly reopen: () => void,
  ) {}

  async start(): Promise<void> {
    const at = this.ctx.clock.now().toISOString();
    await heartbeatProcess(this.ctx.db.kysely, { processId: this.ctx.processId, at });
    const cleared = await clearGoneProcesses(this.ctx.db.kysely, {
      keep: this.ctx.processId,
      // On SQLite no other process runs: whatever another left behind is stale now.
      staleBefore: this.ctx.db.dialect === 'sqlite' ? undefined : this.staleBefore(),
      at,
    });
    if (cleared > 0)
      this.ctx.log.info({ cleared }, 'cleared push channels of server processes that are gone');
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat());
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    try {
      await releaseProcess(this.ctx.db.kysely, {
        processId: this.ctx.processId,
        at: this.ctx.clock.now().toISOString(),
      });
    } catch (err) {
      this.ctx.log.warn({ err }, 'could not release this process push channels');
    }
  }

  private staleBefore(): string {
    return new Date(this.ctx.clock.now().getTime() - PROCESS_STALE_MS).toISOString();
  }

  private async beat(): Promise<void> {
    const at = this.ctx.clock.now().toISOString();
    try {
      const kept = await heartbeatProcess(this.ctx.db.kysely, {
        processId: this.ctx.processId,
        at,
      });
      if (!kept) {
        this.ctx.log.warn('another process took this one for gone: recording its channels again');
        this.reopen();
      }
      await clearGoneProcesses(this.ctx.db.kysely, {
        keep: this.ctx.processId,
        staleBefore: this.staleBefore(),
        at,
      });
    } catch (err) {
      this.ctx.log.warn({ err }, 'push presence heartbeat failed');
    }
  }
}
