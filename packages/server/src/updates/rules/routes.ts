import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import { authorize } from '../../context.js';
import type { UpdateRollupService } from './rollups.js';
import type { RuleRunner } from './run.js';
import type { UpdateRuleService } from './service.js';

/** Automatic deployment rules and rollups (ADR 0072). */
export function registerUpdateRuleRoutes(
  app: App,
  rules: UpdateRuleService,
  runner: RuleRunner,
  rollups: UpdateRollupService,
): void {
  implement(app, ops.updateRules, {
    listUpdateRules: (req) => rules.list(actorOf(req)),
    createUpdateRule: (req) => rules.create(actorOf(req), req.body),
    getUpdateRule: (req) => rules.get(actorOf(req), req.params.id),
    updateUpdateRule: (req) => rules.update(actorOf(req), req.params.id, req.body),
    deleteUpdateRule: (req) => rules.remove(actorOf(req), req.params.id),
    runUpdateRule: async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'deployments:write');
      const rule = await rules.mustFind(rules.db, req.params.id);
      try {
        return await runner.run(actor, rule, 'manual');
      } finally {
        // A sync that finished while the rule was claimed is run for now; its interval restarts.
        await rules.changed();
      }
    },
    listUpdateRuleRuns: (req) => rules.runs(actorOf(req), req.params.id, req.query),
    previewUpdateRule: (req) => rules.preview(actorOf(req), req.body),
  });
  implement(app, ops.updateRollups, {
    listUpdateRollups: (req) => rollups.list(actorOf(req)),
    getUpdateRollup: (req) => rollups.get(actorOf(req), req.params.id),
    refreshUpdateRollup: (req) => rollups.refresh(actorOf(req), req.params.id),
  });
}
