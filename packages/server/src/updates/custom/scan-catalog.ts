import { RuleSet, type ScanCatalogCustom } from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import { allCustomRules } from './repository.js';

/**
 * The custom updates as the agent's catalog carries them (ADR 0074): id and rules, nothing an
 * agent does not evaluate. A stored rule set that no longer parses is a corrupt row (an error),
 * never a silently dropped update.
 */
export async function customUpdatesForScan(db: Queryable): Promise<ScanCatalogCustom[]> {
  return (await allCustomRules(db)).map((r) => {
    const where = (column: string) => ({ table: 'custom_update' as const, id: r.id, column });
    return {
      id: r.id,
      detection: parseJsonColumn(RuleSet, r.detection, where('detection')),
      applicability:
        r.applicability === null
          ? null
          : parseJsonColumn(RuleSet, r.applicability, where('applicability')),
    };
  });
}
