import type { NudgeAction } from '@steward/protocol';

/** Work the agent does one piece at a time, so two inventories never run at once. */
export type Job =
  | { kind: 'policy' }
  | { kind: 'heartbeat' }
  | { kind: 'inventory' }
  | { kind: 'softwareScan' }
  | { kind: 'flush' }
  /** Software deployments: decide what is due (every 30 s, on nudges and Software Center requests). */
  | { kind: 'deployments' }
  | { kind: 'clientCheck' }
  /** The scheduled update scan (issue 10). */
  | { kind: 'updateScan' }
  /** Agent self-upgrade: follow the policy's client-version target (ADR 0027). */
  | { kind: 'upgrade' }
  | { kind: 'nudge'; action: NudgeAction; requestId: string };
export type TimedJob = Exclude<Job, { kind: 'nudge' }>['kind'];

// setTimeout overflows above 2^31-1 ms (24.8 days) and fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A job queue fed by timers (from policy client settings) and push nudges. Timed jobs are
 * de-duplicated: a heartbeat that is already waiting is not queued twice.
 */
export class JobQueue {
  private readonly queue: Job[] = [];
  private readonly timers = new Map<TimedJob, { timer: NodeJS.Timeout; dueAt: number }>();
  private wake: (() => void) | undefined;
  private closed = false;

  push(job: Job): void {
    if (this.closed) return;
    if (job.kind !== 'nudge') {
      // Running now replaces a pending timer: the job schedules its own next run when done.
      this.cancel(job.kind);
      if (this.queue.some((j) => j.kind === job.kind)) return;
    }
    this.queue.push(job);
    this.wake?.();
    this.wake = undefined;
  }

  /** Runs `kind` after `delayMs` (replacing an earlier schedule of the same kind). */
  schedule(kind: TimedJob, delayMs: number): void {
    if (this.closed) return;
    this.cancel(kind);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.round(delayMs)));
    const timer = setTimeout(() => {
      this.timers.delete(kind);
      this.push({ kind });
    }, delay);
    this.timers.set(kind, { timer, dueAt: Date.now() + delay });
  }

  /** When `kind` is next due, if scheduled. */
  dueAt(kind: TimedJob): number | undefined {
    return this.timers.get(kind)?.dueAt;
  }

  cancel(kind: TimedJob): void {
    const existing = this.timers.get(kind);
    if (existing !== undefined) clearTimeout(existing.timer);
    this.timers.delete(kind);
  }

  /** The next job; `undefined` once closed. */
  async take(): Promise<Job | undefined> {
    while (!this.closed) {
      const job = this.queue.shift();
      if (job !== undefined) return job;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return undefined;
  }

  /** Stops every timer and releases a waiting `take`. */
  close(): void {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.wake?.();
    this.wake = undefined;
  }
}
