import { ConflictError, type UpdateRuleRunTrigger } from '@steward/protocol';
import { SYSTEM_ACTOR, type SiteContext } from '../../context.js';
import { filterOf, scheduledAt } from './present.js';
import * as repo from './repository.js';
import type { RuleRunner } from './run.js';

/**
 * Why a rule is due now, if it is (ADR 0072): a sync of one of its sources (any source when it
 * names none) added updates since its last run, or its interval has passed since then.
 */
async function dueBecause(
  ctx: SiteContext,
  rule: repo.RuleRow,
): Promise<UpdateRuleRunTrigger | null> {
  if (rule.running_since !== null) return null;
  if (rule.run_after_sync === 1) {
    const synced = await repo.sourcesSyncedSince(
      ctx.db.kysely,
      rule.last_run_at ?? rule.created_at,
    );
    const sources = filterOf(rule).sourceIds;
    if (synced.some((s) => !sources || sources.includes(s))) return 'sync';
  }
  const at = scheduledAt(rule);
  if (at !== undefined && ctx.clock.now().getTime() >= at) return 'schedule';
  return null;
}

/**
 * The earliest next run among these enabled rules' intervals (undefined: none has one). A rule
 * running now is left out: its run ends with a new last run, and the trigger re-arms then.
 */
export function nextScheduledRun(rules: readonly repo.RuleRow[]): number | undefined {
  let next: number | undefined;
  for (const rule of rules) {
    if (rule.running_since !== null) continue;
    const at = scheduledAt(rule);
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}

/** Runs every enabled rule that is due, one after another (leader only, by the RuleTrigger). */
export async function runDueRules(ctx: SiteContext, runner: RuleRunner): Promise<void> {
  for (const rule of await repo.enabledRules(ctx.db.kysely)) {
    const trigger = await dueBecause(ctx, rule);
    if (trigger === null) continue;
    try {
      await runner.run(SYSTEM_ACTOR, rule, trigger);
    } catch (err) {
      // Another process took it: that process records the run.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}
