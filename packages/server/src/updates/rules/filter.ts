import type { UpdateRuleFilter } from '@steward/protocol';
import type { UpdateFilter } from '../repository.js';

const DAY_MS = 24 * 3600_000;

/**
 * A rule's filter as the catalog's (ADR 0072): current updates only (a superseded one is never
 * approved by a rule), the age measured from when a sync first saw the update.
 */
export function catalogFilter(f: UpdateRuleFilter, now: Date): UpdateFilter {
  return {
    state: 'current',
    ...(f.sourceIds ? { sourceIds: f.sourceIds } : {}),
    ...(f.classifications ? { classifications: f.classifications } : {}),
    ...(f.minSeverity ? { minSeverity: f.minSeverity } : {}),
    ...(f.text ? { search: f.text } : {}),
    ...(f.cve ? { cve: f.cve } : {}),
    ...(f.minAgeDays
      ? { firstSeenBefore: new Date(now.getTime() - f.minAgeDays * DAY_MS).toISOString() }
      : {}),
  };
}
