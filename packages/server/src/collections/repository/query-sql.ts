import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import {
  debianVersionKey,
  type CheckedNode,
  type CheckedQuery,
  type CompareOp,
  type LiteralValue,
  type ResolvedProperty,
} from '@steward/protocol';
import type { Dialect, Queryable } from '../../db/database.js';
import { inTextSet, inventoryElements, jsonProperty, literalParam } from './sql-json.js';
import { domainKey, versionsIn, versionsMatching, type VersionDomains } from '../version-domain.js';
import { loadVersionDomains } from './version-values.js';
import { anyUpdateSql, updateTarget, type UpdateScope } from './update-sql.js';

/**
 * Compiles a checked query to a boolean SQL expression over `device as d`.
 *
 * Semantics, identical on SQLite and PostgreSQL:
 * - every condition is two-valued: a comparison with a missing value (no instance, property
 *   absent, null, or of the wrong JSON type) is false, so `not (os.family = "x")` matches devices
 *   that report no OS family while `os.family != "x"` does not (it needs a value);
 * - `is null` is the negation of `is not null` (no value at all);
 * - `like` is case-insensitive (lower() on both sides; ASCII letters are guaranteed on both
 *   databases) with `%` and `_` wildcards, and `\%` / `\_` for a literal % or _;
 * - `=` on text is case-sensitive and exact;
 * - versions compare in dpkg order: packages through package_set_item.version_key, every other
 *   version property through its value set (see ../version-domain.ts); `like` on a version is text;
 * - datetimes compare as ISO-8601 UTC text (literals are normalised by the checker).
 *
 * Identifiers come only from the catalog and this file; every value is a bound parameter.
 */
export interface CompileOptions {
  dialect: Dialect;
  versionDomains: VersionDomains;
}

/** The device columns behind the `device` pseudo-class. */
const DEVICE_COLUMNS: Record<string, { name: string; nullable: boolean }> = {
  id: { name: 'id', nullable: false },
  name: { name: 'name', nullable: false },
  enrolledAt: { name: 'enrolled_at', nullable: false },
  lastContactAt: { name: 'last_contact_at', nullable: true },
  agentVersion: { name: 'agent_version', nullable: true },
};

// Operators as fixed SQL fragments: nothing from the query text reaches SQL except as a parameter.
const OPERATORS: Record<CompareOp, RawBuilder<unknown>> = {
  '=': sql`=`,
  '!=': sql`<>`,
  '<': sql`<`,
  '<=': sql`<=`,
  '>': sql`>`,
  '>=': sql`>=`,
};

const PACKAGE_COLUMNS: ReadonlySet<string> = new Set(['name', 'version', 'arch', 'manager']);

/** What an instance-scope property refers to inside the innermost any(). */
type InstanceScope =
  { kind: 'json'; elem: string } | { kind: 'package'; row: string } | UpdateScope | null;

type Bool = RawBuilder<SqlBool>;
type Atom = Extract<CheckedNode, { property: ResolvedProperty }>;

/** The SQL value a condition tests, and what is known about it. */
interface Target {
  value: RawBuilder<unknown>;
  /** The stored dpkg sort key beside it (package versions only). */
  versionKey: RawBuilder<unknown> | false;
  nullable: boolean;
}

/** package_set_item columns are NOT NULL; versions compare through version_key. */
function packageTarget(row: string, property: string): Target {
  if (!PACKAGE_COLUMNS.has(property)) throw new Error(`package property ${property} has no column`);
  const versionKey = property === 'version' ? sql.ref(`${row}.version_key`) : false;
  return { value: sql.ref(`${row}.${property}`), versionKey, nullable: false };
}

function boolSql(expr: RawBuilder<unknown>): Bool {
  return sql<SqlBool>`${expr}`;
}

/** `\%` and `\_` stay escapes; any other backslash is a literal backslash for LIKE ... ESCAPE '\'. */
export function likePattern(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    const next = value[i + 1];
    if (c === '\\' && (next === '%' || next === '_')) {
      out += c + next;
      i++;
    } else {
      out += c === '\\' ? '\\\\' : c;
    }
  }
  return out;
}

class Compiler {
  private aliases = 0;
  constructor(private readonly opts: CompileOptions) {}

  private alias(prefix: string): string {
    this.aliases++;
    return `${prefix}${this.aliases}`;
  }

  compile(node: CheckedNode, scope: InstanceScope): Bool {
    switch (node.kind) {
      case 'and':
      case 'or':
        return this.junction(
          node.kind,
          node.operands.map((n) => this.compile(n, scope)),
        );
      case 'not':
        return sql<SqlBool>`not (${this.compile(node.operand, scope)})`;
      case 'any':
        if (node.className === 'package') return this.anyPackage(node.condition);
        if (node.className === 'update')
          return anyUpdateSql(
            (prefix) => this.alias(prefix),
            (s) => this.compile(node.condition, s),
          );
        return this.anyJson(node.className, node.condition);
      case 'compare':
      case 'like':
      case 'in':
      case 'null':
        return this.atom(node, scope);
    }
  }

  /** Balanced grouping, so a long `or` chain does not hit SQLite's expression depth limit. */
  private junction(kind: 'and' | 'or', parts: Bool[]): Bool {
    if (parts.length === 1 && parts[0]) return parts[0];
    if (parts.length <= 8)
      return sql<SqlBool>`(${sql.join(parts, kind === 'and' ? sql` and ` : sql` or `)})`;
    const half = Math.ceil(parts.length / 2);
    return this.junction(kind, [
      this.junction(kind, parts.slice(0, half)),
      this.junction(kind, parts.slice(half)),
    ]);
  }

  private anyPackage(condition: CheckedNode): Bool {
    const row = this.alias('p');
    const where = this.compile(condition, { kind: 'package', row });
    // Per distinct package set (DESIGN.md section 4): the subquery does not depend on d, so it is
    // computed once over the shared sets, not once per device.
    return sql<SqlBool>`(d.package_set_id is not null and d.package_set_id in (select ${sql.ref(
      `${row}.set_id`,
    )} from package_set_item as ${sql.id(row)} where ${where}))`;
  }

  private anyJson(className: string, condition: CheckedNode): Bool {
    const row = this.alias('i');
    const elem = this.alias('e');
    const where = this.compile(condition, { kind: 'json', elem });
    return this.existsInstance(className, row, elem, where);
  }

  private existsInstance(className: string, row: string, elem: string, where: Bool): Bool {
    return sql<SqlBool>`exists (select 1 from ${inventoryElements(this.opts.dialect, row, elem)} where ${sql.ref(
      `${row}.device_id`,
    )} = d.id and ${sql.ref(`${row}.class_name`)} = ${className} and ${where})`;
  }

  private atom(node: Atom, scope: InstanceScope): Bool {
    const p = node.property;
    if (p.scope === 'device') {
      const column = DEVICE_COLUMNS[p.property];
      if (column === undefined) throw new Error(`device property ${p.property} has no column`);
      const target = {
        value: sql.ref(`d.${column.name}`),
        versionKey: false as const,
        nullable: column.nullable,
      };
      return this.predicate(node, target);
    }
    if (p.scope === 'instance') {
      if (scope === null) throw new Error(`${p.className}.${p.property} used outside any()`);
      if (scope.kind === 'package')
        return this.predicate(node, packageTarget(scope.row, p.property));
      if (scope.kind === 'update') return this.predicate(node, updateTarget(scope, p.property));
      const value = jsonProperty(this.opts.dialect, scope.elem, p.property, p.type);
      return this.predicate(node, { value, versionKey: false, nullable: true });
    }
    // A single-instance class: a fresh exists() over the device's row of that class.
    const row = this.alias('i');
    const elem = this.alias('e');
    const value = jsonProperty(this.opts.dialect, elem, p.property, p.type);
    if (node.kind === 'null') {
      const present = this.existsInstance(
        p.className,
        row,
        elem,
        sql<SqlBool>`${value} is not null`,
      );
      return node.negated ? present : sql<SqlBool>`not ${present}`;
    }
    const where = this.predicate(node, { value, versionKey: false, nullable: true });
    return this.existsInstance(p.className, row, elem, where);
  }

  /**
   * The condition on one value, always true or false (never NULL) so that `not` is exact.
   * NOT NULL columns are compared bare, which keeps package_set_item's (name, version_key)
   * index usable.
   */
  private predicate(node: Atom, target: Target): Bool {
    const d = this.opts.dialect;
    const { value } = target;
    const twoValued = (expr: RawBuilder<unknown>): Bool =>
      target.nullable ? sql<SqlBool>`coalesce(${expr}, false)` : boolSql(expr);
    switch (node.kind) {
      case 'null':
        return sql<SqlBool>`(${value} is ${node.negated ? sql`not ` : sql``}null)`;
      case 'like': {
        const pattern = likePattern(node.pattern);
        const match = sql`lower(${value}) like lower(cast(${pattern} as text)) escape '\\'`;
        return twoValued(node.negated ? sql`not (${match})` : match);
      }
      case 'compare':
        if (node.property.type === 'version') return twoValued(this.versionCompare(node, target));
        return twoValued(sql`${value} ${OPERATORS[node.op]} ${literalParam(d, node.value)}`);
      case 'in': {
        if (node.property.type === 'version') return twoValued(this.versionIn(node, target));
        const list = sql.join(node.values.map((v) => literalParam(d, v)));
        return twoValued(sql`${value} ${node.negated ? sql`not in` : sql`in`} (${list})`);
      }
    }
  }

  private versionCompare(
    node: Extract<Atom, { kind: 'compare' }>,
    target: Target,
  ): RawBuilder<unknown> {
    const literal = String(node.value);
    if (target.versionKey) {
      return sql`${target.versionKey} ${OPERATORS[node.op]} ${debianVersionKey(literal)}`;
    }
    const matching = versionsMatching(this.domain(node.property), node.op, literal);
    return inTextSet(this.opts.dialect, target.value, matching);
  }

  private versionIn(node: Extract<Atom, { kind: 'in' }>, target: Target): RawBuilder<unknown> {
    const literals = node.values.map((v: LiteralValue) => String(v));
    if (target.versionKey) {
      const keys = sql.join(literals.map((l) => sql`${debianVersionKey(l)}`));
      return sql`${target.versionKey} ${node.negated ? sql`not in` : sql`in`} (${keys})`;
    }
    const matching = versionsIn(this.domain(node.property), literals, node.negated);
    return inTextSet(this.opts.dialect, target.value, matching);
  }

  private domain(p: ResolvedProperty): readonly string[] {
    const domain = this.opts.versionDomains.get(domainKey(p));
    if (!domain) throw new Error(`the values of ${domainKey(p)} were not loaded before compiling`);
    return domain;
  }
}

/** Compiles a checked query whose version value sets are already loaded. */
export function compileQuery(query: CheckedQuery, opts: CompileOptions): Expression<SqlBool> {
  return new Compiler(opts).compile(query.root, null);
}

/**
 * Loads what the query needs (version value sets) and compiles it for this database. Pass the
 * transaction the result will run in: on SQLite it holds the only connection.
 */
export async function compileQueryFor(
  db: Queryable,
  dialect: Dialect,
  query: CheckedQuery,
): Promise<Expression<SqlBool>> {
  const versionDomains = await loadVersionDomains(db, dialect, query);
  return compileQuery(query, { dialect, versionDomains });
}
