import { ACTIVE_PUSH_STATES } from '@steward/protocol';
import { nowIso } from '../context.js';
import { runAttempt, type AttemptDeps } from './attempt.js';
import { EnrolmentWaiter } from './enrolment-waiter.js';
import { claimTarget, dueTargets, nextRetryAt, requeueOrphanedTargets } from './repository.js';

/** The longest a retry timer is set for; the scheduler's backstop tick covers the rest. */
const MAX_TIMER_MS = 3600_000;

/**
 * Runs push attempts in the scheduler process: at most `maxConcurrentSessions` holding an SSH
 * session at once (the wait for enrolment after it holds none). It wakes on events, not on a
 * poll: targets queued in any process (`push-targets-queued` on the bus), an attempt's session
 * closing (its slot is free), and a timer set to the earliest retry. While idle it reads nothing.
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
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last fill found no free slot. */
  private full = false;
  private unsubscribe: (() => void) | undefined;
  private readonly waiter: EnrolmentWaiter;

  constructor(private readonly deps: Omit<AttemptDeps, 'signal' | 'waiter'>) {
    this.waiter = new EnrolmentWaiter(deps.ctx);
  }

  /** At leadership: targets a dead process left mid-attempt are queued again. */
  async recover(): Promise<void> {
    this.leading = true;
    this.unsubscribe ??= this.deps.ctx.bus.subscribe('push-targets-queued', () => {
      void this.tick();
    });
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
      await this.armRetryTimer();
    } finally {
      this.ticking = false;
    }
  }

  /** Wakes at the earliest retry (a retry-scheduled target falls due without any event). */
  private async armRetryTimer(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // Every slot taken: the next session to close ticks, no timer needed.
    if (this.abort.signal.aborted || this.full) return;
    const at = await nextRetryAt(this.deps.ctx.db.kysely);
    if (at === undefined) return;
    const ms = Math.min(
      MAX_TIMER_MS,
      Math.max(0, Date.parse(at) - this.deps.ctx.clock.now().getTime()),
    );
    // At least 1 s: a due target whose slot is taken must not spin the timer.
    this.retryTimer = setTimeout(() => void this.tick(), Math.max(ms, 1000));
    this.retryTimer.unref();
  }

  /** Whether a tick was asked for while the last one ran (a method: set from other calls). */
  private askedAgain(): boolean {
    return this.again && !this.abort.signal.aborted;
  }

  private async fill(): Promise<void> {
    const { ctx } = this.deps;
    const free = (await this.deps.settings()).maxConcurrentSessions - this.running.size;
    this.full = free <= 0;
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
        { ...this.deps, signal: this.abort.signal, waiter: this.waiter, onSessionClosed: release },
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
    clearTimeout(this.retryTimer);
    this.unsubscribe?.();
    this.waiter.close();
    const all = Promise.allSettled([...this.attempts.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
}
