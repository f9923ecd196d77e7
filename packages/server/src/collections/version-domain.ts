import {
  compareDebianVersions,
  type CheckedNode,
  type CompareOp,
  type CheckedQuery,
  type ResolvedProperty,
} from '@steward/protocol';

/**
 * Version properties held in JSON (os.version, os.kernel, custom classes) and device.agentVersion
 * must compare in dpkg order, but neither database can compute a dpkg sort key of a stored value
 * without a custom function, which PostgreSQL would need installed by hand. Instead, before a
 * query is compiled, the site reads the DISTINCT values each such property holds across the
 * fleet (few: fleets share OS releases and kernels), decides in TypeScript with
 * compareDebianVersions which of them satisfy the condition, and the SQL tests membership in
 * that set (one bound parameter). The result is exact dpkg order on both dialects and stores
 * nothing new. Packages do not need this: package_set_item.version_key is a stored sort key.
 * The values are read by repository/version-values.ts; this file decides in TypeScript.
 */
export type VersionDomains = ReadonlyMap<string, readonly string[]>;

export function domainKey(p: Pick<ResolvedProperty, 'className' | 'property'>): string {
  return `${p.className}.${p.property}`;
}

function propertyOf(node: CheckedNode): ResolvedProperty | undefined {
  return 'property' in node ? node.property : undefined;
}

/** The version properties of a query whose values must be read first (never package.version or update.version). */
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
        // package.version and update.version compare through a stored dpkg sort key.
        const keyed = p?.scope === 'instance' && (anyClass === 'package' || anyClass === 'update');
        if (p && p.type === 'version' && !keyed) found.set(domainKey(p), p);
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
