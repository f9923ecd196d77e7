import { ConflictError, type UpdateRuleRunTrigger } from '@steward/protocol';
import { SYSTEM_ACTOR, type SiteContext } from '../../context.js';
import { filterOf, nextRunAt } from './present.js';
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
  const next = nextRunAt(rule);
  if (next !== null && ctx.clock.now().getTime() >= Date.parse(next)) return 'schedule';
  return null;
}

/** Scheduler job (leader only): runs every enabled rule that is due, one after another. */
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
