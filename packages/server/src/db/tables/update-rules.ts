import { UpdateRuleGroupMode, UpdateRuleRunOutcome, UpdateRuleRunTrigger } from '@steward/protocol';
import { integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** Automatic deployment rules, their runs, and rollups (issue 10, ADR 0072). */
export const updateRulesTables = {
  update_rule: {
    id: text(),
    name: text(),
    description: text(),
    /** JSON: UpdateRuleFilter. */
    filter: text(),
    group_mode: oneOf(UpdateRuleGroupMode),
    group_id: nullable(text()),
    /** JSON array of collection ids (the phases' order when phased). */
    collection_ids: text(),
    /** JSON: UpdateRulePhasing, or null when the rule deploys to every collection at once. */
    phased: nullable(text()),
    /** JSON: the deployment template (timing, shared and update deployment options). */
    template: text(),
    run_after_sync: integer(),
    interval_hours: integer(),
    enabled: integer(),
    created_at: text(),
    created_by: text(),
    updated_at: text(),
    last_run_at: nullable(text()),
    last_run_id: nullable(text()),
    running_since: nullable(text()),
  },
  update_rule_run: {
    id: text(),
    rule_id: text(),
    trigger: oneOf(UpdateRuleRunTrigger),
    requested_by: text(),
    started_at: text(),
    finished_at: text(),
    outcome: oneOf(UpdateRuleRunOutcome),
    matched: integer(),
    added: integer(),
    group_id: nullable(text()),
    /** JSON array of update deployment ids. */
    deployment_ids: text(),
    phased_deployment_id: nullable(text()),
    error: nullable(text()),
  },
  update_rollup: {
    source_id: text(),
    group_id: text(),
    refreshed_at: text(),
  },
} as const;

export interface UpdateRulesTables {
  update_rule: TableOf<typeof updateRulesTables.update_rule>;
  update_rule_run: TableOf<typeof updateRulesTables.update_rule_run>;
  update_rollup: TableOf<typeof updateRulesTables.update_rollup>;
}
