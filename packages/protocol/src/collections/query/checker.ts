import type { InventoryClassShape, PropertyType } from '../../inventory/schemas.js';
import type {
  CheckedNode,
  CheckedQuery,
  Literal,
  LiteralValue,
  PropertyRef,
  QueryFailure,
  QueryNode,
  ResolvedProperty,
  Span,
} from './ast.js';
import { DEVICE_CLASS, findByName, queryClasses, suggestName } from './catalog.js';
import { checkLiteral, TYPE_WORDS } from './literals.js';

/** Thrown inside the checker; checkQuery turns it into a QUERY_TYPE result. */
export class QueryTypeError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

function didYouMean(name: string, candidates: readonly string[]): string {
  const s = suggestName(name, candidates);
  return s ? `; did you mean "${s}"?` : '';
}

function literalSource(v: Literal): string {
  return v.kind === 'number'
    ? v.raw
    : v.kind === 'string'
      ? JSON.stringify(v.value)
      : String(v.value);
}

/** The text after the property in a condition, to show the administrator their own condition rewritten. */
function conditionTail(node: QueryNode): string {
  const not = 'negated' in node && node.negated ? ' not' : '';
  switch (node.kind) {
    case 'compare':
      return ` ${node.op} ${literalSource(node.value)}`;
    case 'like':
      return `${not} like ${literalSource(node.pattern)}`;
    case 'in':
      return `${not} in (${node.values.map(literalSource).join(', ')})`;
    case 'null':
      return ` is${not} null`;
    default:
      return ' = ...';
  }
}

function sampleCondition(cls: InventoryClassShape, property: string, tail: string): string {
  return `any(${cls.name}, ${property}${tail})`;
}

class Checker {
  private readonly classes: InventoryClassShape[];
  constructor(catalog: readonly InventoryClassShape[]) {
    this.classes = queryClasses(catalog);
  }

  private findClass(name: string, span: Span): InventoryClassShape {
    const cls = findByName(this.classes, name, (c) => c.name);
    if (cls) return cls;
    const names = this.classes.map((c) => c.name);
    throw new QueryTypeError(`unknown class "${name}"${didYouMean(name, names)}`, span);
  }

  private findProperty(cls: InventoryClassShape, name: string, span: Span): [string, PropertyType] {
    const found = findByName(Object.entries(cls.properties), name, ([n]) => n);
    if (found) return found;
    const names = Object.keys(cls.properties);
    const hint = didYouMean(name, names) || ` (it has ${names.join(', ')})`;
    throw new QueryTypeError(`class "${cls.name}" has no property "${name}"${hint}`, span);
  }

  /** A bare name: a property of the enclosing any() class, or a mistake worth explaining. */
  private resolveBare(
    ref: PropertyRef,
    within: InventoryClassShape | null,
    tail: string,
  ): ResolvedProperty {
    if (within) {
      const cls = findByName(this.classes, ref.property, (c) => c.name);
      if (cls && !findByName(Object.keys(within.properties), ref.property, (n) => n)) {
        throw new QueryTypeError(
          `"${cls.name}" is a class; name one of its properties, e.g. ${cls.name}.${Object.keys(cls.properties)[0] ?? 'name'}`,
          ref.span,
        );
      }
      const [property, type] = this.findProperty(within, ref.property, ref.propertySpan);
      return { className: within.name, property, type, scope: 'instance' };
    }
    const cls = findByName(this.classes, ref.property, (c) => c.name);
    if (cls) {
      throw new QueryTypeError(
        `"${cls.name}" is a class; name one of its properties, e.g. ${cls.name}.${Object.keys(cls.properties)[0] ?? 'name'}`,
        ref.span,
      );
    }
    const owner = this.classes.find((c) =>
      findByName(Object.keys(c.properties), ref.property, (n) => n),
    );
    if (owner) {
      const [property] = this.findProperty(owner, ref.property, ref.span);
      const usage = owner.multiInstance
        ? sampleCondition(owner, property, tail)
        : `${owner.name}.${property}`;
      throw new QueryTypeError(`"${ref.property}" needs its class: write ${usage}`, ref.span);
    }
    throw new QueryTypeError(
      `unknown property "${ref.property}"; write class.property, e.g. os.family`,
      ref.span,
    );
  }

  private resolve(
    node: Extract<QueryNode, { property: PropertyRef }>,
    within: InventoryClassShape | null,
  ): ResolvedProperty {
    const ref = node.property;
    if (ref.className === null || ref.classSpan === null)
      return this.resolveBare(ref, within, conditionTail(node));
    const cls = this.findClass(ref.className, ref.classSpan);
    const [property, type] = this.findProperty(cls, ref.property, ref.propertySpan);
    if (within && cls.name === within.name)
      return { className: cls.name, property, type, scope: 'instance' };
    if (cls.name === DEVICE_CLASS.name)
      return { className: cls.name, property, type, scope: 'device' };
    if (cls.multiInstance) {
      throw new QueryTypeError(
        `a device can have several "${cls.name}" instances: test them with ${sampleCondition(cls, property, conditionTail(node))}`,
        ref.span,
      );
    }
    return { className: cls.name, property, type, scope: 'single' };
  }

  check(node: QueryNode, within: InventoryClassShape | null): CheckedNode {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const operands: CheckedNode[] = [];
        for (const side of [node.left, node.right]) {
          const c = this.check(side, within);
          // Flattened so the SQL is `a or b or c`, not a tree as deep as the chain is long.
          if (c.kind === node.kind) operands.push(...c.operands);
          else operands.push(c);
        }
        return { kind: node.kind, operands };
      }
      case 'not':
        return { kind: 'not', operand: this.check(node.operand, within) };
      case 'compare': {
        const property = this.resolve(node, within);
        return {
          kind: 'compare',
          op: node.op,
          property,
          value: this.literal(property, node.value, node.op),
        };
      }
      case 'like': {
        const property = this.resolve(node, within);
        if (property.type === 'number' || property.type === 'boolean') {
          throw new QueryTypeError(
            `"like" matches text, and ${property.className}.${property.property} is ${TYPE_WORDS[property.type]}; use = or in (...)`,
            node.span,
          );
        }
        if (node.pattern.kind !== 'string')
          throw new QueryTypeError('"like" needs a text pattern in quotes', node.pattern.span);
        return { kind: 'like', negated: node.negated, property, pattern: node.pattern.value };
      }
      case 'in': {
        const property = this.resolve(node, within);
        const values = node.values.map((v) => this.literal(property, v, '='));
        return { kind: 'in', negated: node.negated, property, values };
      }
      case 'null':
        return { kind: 'null', negated: node.negated, property: this.resolve(node, within) };
      case 'any':
        return this.checkAny(node, within);
    }
  }

  private checkAny(
    node: Extract<QueryNode, { kind: 'any' }>,
    within: InventoryClassShape | null,
  ): CheckedNode {
    const cls = this.findClass(node.className, node.classSpan);
    if (cls.name === DEVICE_CLASS.name) {
      throw new QueryTypeError(
        '"device" has one record per device: compare device.name (etc.) directly',
        node.classSpan,
      );
    }
    if (within && within.name === cls.name) {
      throw new QueryTypeError(
        `already inside any(${cls.name}, ...): compare its properties directly`,
        node.classSpan,
      );
    }
    return { kind: 'any', className: cls.name, condition: this.check(node.condition, cls) };
  }

  private literal(property: ResolvedProperty, value: Literal, op: string): LiteralValue {
    const problem = checkLiteral(property, value, op);
    if (typeof problem === 'object') throw new QueryTypeError(problem.message, value.span);
    return problem;
  }
}

export type CheckResult = { ok: true; query: CheckedQuery } | { ok: false; error: QueryFailure };

/**
 * Checks a parsed query against the inventory class catalog (built-in and custom classes; the
 * `device` pseudo-class is added here) and resolves every name. Errors are QUERY_TYPE, with the
 * position of the offending name or value and, for misspellings, a "did you mean".
 */
export function checkQuery(ast: QueryNode, catalog: readonly InventoryClassShape[]): CheckResult {
  try {
    return { ok: true, query: { root: new Checker(catalog).check(ast, null) } };
  } catch (err) {
    if (err instanceof QueryTypeError) {
      return { ok: false, error: { code: 'QUERY_TYPE', message: err.message, ...err.span } };
    }
    throw err;
  }
}
