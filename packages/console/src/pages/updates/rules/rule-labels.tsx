import { Badge } from '@mantine/core';
import type { UpdateRule, UpdateRuleFilter, UpdateRuleRunOutcome } from '@steward/protocol';

/** Query keys of the rule and rollup pages (a run refreshes the rule, its runs and the lists). */
export const RULE_KEYS = {
  rules: 'update-rules',
  rollups: 'update-rollups',
} as const;

export const rulePath = (id: string) => `/software/update-rules/${encodeURIComponent(id)}`;
export const rollupPath = (sourceId: string) =>
  `/software/update-rollups/${encodeURIComponent(sourceId)}`;

const OUTCOME: Record<UpdateRuleRunOutcome, { color: string; label: string }> = {
  succeeded: { color: 'teal', label: 'Succeeded' },
  'nothing-new': { color: 'gray', label: 'Nothing new' },
  failed: { color: 'red', label: 'Failed' },
};

export function RunOutcomeBadge({ outcome }: { outcome: UpdateRuleRunOutcome }) {
  return (
    <Badge color={OUTCOME[outcome].color} variant="light" data-testid="rule-run-outcome">
      {OUTCOME[outcome].label}
    </Badge>
  );
}

/** The filter in words: "security · at least high · CVE-2031-0001" ("every current update"). */
export function describeFilter(
  f: UpdateRuleFilter,
  sourceName: (id: string) => string = (id) => id,
): string {
  const parts = [
    f.classifications?.join(' or '),
    f.minSeverity && `at least ${f.minSeverity}`,
    f.sourceIds && `from ${f.sourceIds.map(sourceName).join(', ')}`,
    f.minAgeDays !== undefined && f.minAgeDays > 0 && `${f.minAgeDays}+ days old`,
    f.text && `“${f.text}”`,
    f.cve,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length === 0 ? 'every current update' : parts.join(' · ');
}

/** When the rule runs by itself, in words. */
export function describeSchedule(r: UpdateRule): string {
  if (!r.enabled) return 'on demand only (disabled)';
  const parts = [
    r.runAfterSync && 'after each sync',
    r.intervalHours > 0 && `every ${r.intervalHours} h`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length === 0 ? 'on demand only' : parts.join(', ');
}
