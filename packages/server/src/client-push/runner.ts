import { ACTIVE_PUSH_STATES } from '@steward/protocol';
import { nowIso } from '../context.js';
import { runAttempt, type AttemptDeps } from './attempt.js';
import { claimTarget, dueTargets, requeueOrphanedTargets } from './repository.js';

/**
 * Runs push attempts in the scheduler process: at most `maxConcurrentSessions` holding an SSH
 * session at once (the wait for enrolment after it holds none); a tick
 * (every 2 s, at a job's start, and whenever an attempt ends) claims due targets for free slots.
 * Attempts run beside the scheduler's jobs, not inside one, so a slow host never holds a tick.
 */
export class PushRunner {
  /** Attempts holding an SSH session: what `maxConcurrentSessions` limits. */
  private readonly running = new Set<string>();
  /** Every attempt not finished, including those waiting for enrolment without a session. */
  private readonly attempts = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private ticking = false;
  /** Set once this process leads the scheduler: only the leader runs attempts. */
  private leading = false;
  private again = false;

  constructor(private readonly deps: Omit<AttemptDeps, 'signal'>) {}

  /** At leadership: targets a dead process left mid-attempt are queued again. */
  async recover(): Promise<void> {
    this.leading = true;
    const n = await requeueOrphanedTargets(this.deps.ctx.db.kysely, {
      processId: this.deps.ctx.processId,
      activeStates: ACTIVE_PUSH_STATES,
      at: nowIso(this.deps.ctx),
    });
    if (n > 0) this.deps.ctx.log.info({ targets: n }, 'client push: orphaned targets queued again');
  }

  /** Attempts holding an SSH session now. */
  get sessions(): number {
    return this.running.size;
  }

  /** Fills free slots with due targets; a tick asked for during one runs right after it. */
  async tick(): Promise<void> {
    if (!this.leading) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.fill();
      } while (this.askedAgain());
    } finally {
      this.ticking = false;
    }
  }

  /** Whether a tick was asked for while the last one ran (a method: set from other calls). */
  private askedAgain(): boolean {
    return this.again && !this.abort.signal.aborted;
  }

  private async fill(): Promise<void> {
    const { ctx } = this.deps;
    const free = (await this.deps.settings()).maxConcurrentSessions - this.running.size;
    if (free <= 0 || this.abort.signal.aborted) return;
    const due = await dueTargets(ctx.db.kysely, nowIso(ctx), free + this.running.size);
    let started = 0;
    for (const t of due) {
      if (started >= free) break;
      if (this.attempts.has(t.id)) continue;
      const claimed = await claimTarget(ctx.db.kysely, {
        id: t.id,
        fromState: t.state,
        processId: ctx.processId,
        at: nowIso(ctx),
      });
      if (!claimed) continue;
      started++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.running.delete(t.id);
        if (!this.abort.signal.aborted) void this.tick();
      };
      this.running.add(t.id);
      const p = runAttempt(
        { ...this.deps, signal: this.abort.signal, onSessionClosed: release },
        { ...t, state: 'connecting' },
      )
        .catch((err: unknown) =>
          ctx.log.error({ err, target: t.id }, 'client push attempt crashed'),
        )
        .finally(() => {
          this.attempts.delete(t.id);
          release();
        });
      this.attempts.set(t.id, p);
    }
  }

  /** Stops: running attempts end at their next step and queue their targets again. */
  async stop(): Promise<void> {
    this.abort.abort();
    const all = Promise.allSettled([...this.attempts.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
}
