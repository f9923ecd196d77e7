import { Type } from '@sinclair/typebox';
import {
  settingsValueProperties,
  UpdateRuleFilter,
  UpdateRulePhasing,
  UpdateRuleTemplateOptions,
  withSettingDefaults,
  type UpdateRule,
  type UpdateRuleRun,
  type UpdateRuleTemplateOptions as Template,
} from '@steward/protocol';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import type { RuleRow, RunRow } from './repository.js';

/** A rule row and its JSON columns, read and checked (ADR 0072). */

const TemplateSchema = Type.Partial(
  Type.Object(settingsValueProperties(UpdateRuleTemplateOptions)),
);
const Ids = Type.Array(Type.String());

export function filterOf(r: RuleRow): UpdateRuleFilter {
  return parseJsonColumn(UpdateRuleFilter, r.filter, {
    table: 'update_rule',
    id: r.id,
    column: 'filter',
  });
}

/** Stored templates are completed with the declared defaults (a field added later gets its default). */
export function templateOf(r: { id: string; template: string }): Template {
  const stored = parseJsonColumn(TemplateSchema, r.template, {
    table: 'update_rule',
    id: r.id,
    column: 'template',
  });
  return withSettingDefaults(UpdateRuleTemplateOptions, stored);
}

export function collectionsOf(r: RuleRow): string[] {
  return parseJsonColumn(Ids, r.collection_ids, {
    table: 'update_rule',
    id: r.id,
    column: 'collection_ids',
  });
}

export function phasingOf(r: RuleRow): UpdateRulePhasing | null {
  if (r.phased === null) return null;
  return parseJsonColumn(UpdateRulePhasing, r.phased, {
    table: 'update_rule',
    id: r.id,
    column: 'phased',
  });
}

export function toRun(r: RunRow): UpdateRuleRun {
  return {
    id: r.id,
    ruleId: r.rule_id,
    trigger: r.trigger,
    requestedBy: r.requested_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    matched: r.matched,
    added: r.added,
    groupId: r.group_id,
    deploymentIds: parseJsonColumn(Ids, r.deployment_ids, {
      table: 'update_rule_run',
      id: r.id,
      column: 'deployment_ids',
    }),
    phasedDeploymentId: r.phased_deployment_id,
    error: r.error,
  };
}

const HOUR_MS = 3600_000;

/** When an interval rule is due next (ms since the epoch): its interval after its last run. */
export function scheduledAt(r: RuleRow): number | undefined {
  if (r.interval_hours <= 0) return undefined;
  return Date.parse(r.last_run_at ?? r.created_at) + r.interval_hours * HOUR_MS;
}

/** The interval's next due time as the scheduler computes it (`scheduledAt`); null when off. */
export function nextRunAt(r: RuleRow): string | null {
  const at = r.enabled === 1 ? scheduledAt(r) : undefined;
  return at === undefined ? null : new Date(at).toISOString();
}

export function toRule(r: RuleRow, lastRun: RunRow | undefined): UpdateRule {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    filter: filterOf(r),
    groupMode: r.group_mode,
    groupId: r.group_id,
    groupName: r.group_name,
    collectionIds: collectionsOf(r),
    phased: phasingOf(r),
    runAfterSync: r.run_after_sync === 1,
    intervalHours: r.interval_hours,
    enabled: r.enabled === 1,
    ...templateOf(r),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    lastRun: lastRun ? toRun(lastRun) : null,
    nextRunAt: nextRunAt(r),
  };
}
