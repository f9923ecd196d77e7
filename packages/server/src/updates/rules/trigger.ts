import type { SiteContext } from '../../context.js';
import * as repo from './repository.js';
import type { RuleRunner } from './run.js';
import { nextScheduledRun, runDueRules } from './schedule.js';

/** setTimeout's longest delay (about 24.8 days); a later due time is re-armed from there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs the automatic deployment rules (ADR 0072) when something makes one due, not by polling:
 * a catalog sync that added updates (the `update-catalog-synced` event, from whichever process
 * ran it), a rule created or changed (`update-rules-changed`, which may move the next due
 * time), and a timer set to the earliest next run of an interval rule, re-armed after every
 * pass. Leader process only (started by the scheduler), like the jobs it replaces; a pass at
 * start catches syncs that finished while no leader was running.
 */
export class RuleTrigger {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void)[] = [];
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ctx: SiteContext,
    private readonly runner: RuleRunner,
  ) {}

  start(): void {
    if (this.stopped || this.unsubscribe.length > 0) return;
    this.unsubscribe.push(
      this.ctx.bus.subscribe('update-catalog-synced', () => this.kick()),
      this.ctx.bus.subscribe('update-rules-changed', () => this.kick()),
    );
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.timer) clearTimeout(this.timer);
    await this.pass;
  }

  /** Runs the due rules now; a kick during a pass runs one more pass after it (no overlap). */
  private kick(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.runPasses().finally(() => {
      this.pass = undefined;
    });
  }

  private async runPasses(): Promise<void> {
    do {
      try {
        await runDueRules(this.ctx, this.runner);
      } catch (err) {
        this.ctx.log.error({ err }, 'automatic deployment rules failed');
      }
    } while (this.takeAgain() && !this.stopped);
    await this.arm();
  }

  /** Whether something asked for a pass during the last one (and clears the request). */
  private takeAgain(): boolean {
    const again = this.again;
    this.again = false;
    return again;
  }

  /** Sets the timer to the earliest next run of an enabled interval rule (none: no timer). */
  private async arm(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    let next: number | undefined;
    try {
      next = nextScheduledRun(await repo.enabledRules(this.ctx.db.kysely));
    } catch (err) {
      this.ctx.log.error({ err }, 'could not read the automatic deployment rules');
      return;
    }
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.ctx.clock.now().getTime()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }
}
