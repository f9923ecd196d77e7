import { sql, type Kysely } from 'kysely';
import {
  compareDebianVersions,
  type CheckedNode,
  type CompareOp,
  type CheckedQuery,
  type ResolvedProperty,
} from '@steward/protocol';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/tables/index.js';
import { inventoryElements, jsonProperty } from './sql-json.js';

/**
 * Version properties held in JSON (os.version, os.kernel, custom classes) and device.agentVersion
 * must compare in dpkg order, but neither database can compute a dpkg sort key of a stored value
 * without a custom function, which PostgreSQL would need installed by hand. Instead, before a
 * query is compiled, the site reads the DISTINCT values each such property holds across the
 * fleet (few: fleets share OS releases and kernels), decides in TypeScript with
 * compareDebianVersions which of them satisfy the condition, and the SQL tests membership in
 * that set (one bound parameter). The result is exact dpkg order on both dialects and stores
 * nothing new. Packages do not need this: package_set_item.version_key is a stored sort key.
 */
export type VersionDomains = ReadonlyMap<string, readonly string[]>;

export function domainKey(p: Pick<ResolvedProperty, 'className' | 'property'>): string {
  return `${p.className}.${p.property}`;
}

function propertyOf(node: CheckedNode): ResolvedProperty | undefined {
  return 'property' in node ? node.property : undefined;
}

/** The version properties of a query whose values must be read first (never package.version). */
export function versionPropertiesOf(query: CheckedQuery): ResolvedProperty[] {
  const found = new Map<string, ResolvedProperty>();
  const visit = (node: CheckedNode, anyClass: string | null): void => {
    switch (node.kind) {
      case 'and':
      case 'or':
        node.operands.forEach((n) => visit(n, anyClass));
        return;
      case 'not':
        visit(node.operand, anyClass);
        return;
      case 'any':
        visit(node.condition, node.className);
        return;
      case 'compare':
      case 'in': {
        const p = propertyOf(node);
        const isPackage = p?.scope === 'instance' && anyClass === 'package';
        if (p && p.type === 'version' && !isPackage) found.set(domainKey(p), p);
        return;
      }
      case 'like':
      case 'null':
        return;
    }
  };
  visit(query.root, null);
  return [...found.values()];
}

async function distinctValues(
  db: Kysely<Database>,
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
  db: Kysely<Database>,
  dialect: Dialect,
  query: CheckedQuery,
): Promise<VersionDomains> {
  const domains = new Map<string, readonly string[]>();
  for (const p of versionPropertiesOf(query))
    domains.set(domainKey(p), await distinctValues(db, dialect, p));
  return domains;
}

function satisfies(cmp: number, op: CompareOp): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

/** The values of a domain for which `value <op> literal` holds in dpkg order. */
export function versionsMatching(
  domain: readonly string[],
  op: CompareOp,
  literal: string,
): string[] {
  return domain.filter((v) => satisfies(compareDebianVersions(v, literal), op));
}

/** The values of a domain equal (in dpkg order: 1.0 = 1.00) to one of the literals, or to none. */
export function versionsIn(
  domain: readonly string[],
  literals: readonly string[],
  negated: boolean,
): string[] {
  return domain.filter((v) => literals.some((l) => compareDebianVersions(v, l) === 0) !== negated);
}
