import { sql } from 'kysely';
import type { CheckedQuery, ResolvedProperty } from '@steward/protocol';
import type { Dialect, Queryable } from '../../db/database.js';
import { domainKey, versionPropertiesOf, type VersionDomains } from '../version-domain.js';
import { inventoryElements, jsonProperty } from './sql-json.js';

/** The distinct values one version property holds across the fleet (see version-domain.ts). */
async function distinctValues(
  db: Queryable,
  dialect: Dialect,
  p: ResolvedProperty,
): Promise<string[]> {
  if (p.scope === 'device') {
    // The only version column of the device pseudo-class.
    const rows = await db
      .selectFrom('device')
      .select('agent_version as v')
      .distinct()
      .where('agent_version', 'is not', null)
      .execute();
    return rows.flatMap((r) => (r.v === null ? [] : [r.v]));
  }
  const value = jsonProperty(dialect, 'je', p.property, 'version');
  const rows = await sql<{
    v: string | null;
  }>`select distinct ${value} as v from ${inventoryElements(
    dialect,
    'i',
    'je',
  )} where i.class_name = ${p.className}`.execute(db);
  return rows.rows.flatMap((r) => (typeof r.v === 'string' ? [r.v] : []));
}

/** Reads the value sets a query's JSON-held version comparisons need. */
export async function loadVersionDomains(
  db: Queryable,
  dialect: Dialect,
  query: CheckedQuery,
): Promise<VersionDomains> {
  const domains = new Map<string, readonly string[]>();
  for (const p of versionPropertiesOf(query))
    domains.set(domainKey(p), await distinctValues(db, dialect, p));
  return domains;
}
