import type { PropertyType } from '../../inventory/schemas.js';
import type { QueryError } from '../schemas.js';

/** Where a token or node sits in the query text (the same fields a QueryError carries). */
export interface Span {
  /** 0-based offset. */
  position: number;
  length: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like the editor's cursor. */
  column: number;
}

/** A query error with its machine code; syntax errors and type errors are told apart by it. */
export type QueryFailure = QueryError & { code: 'QUERY_SYNTAX' | 'QUERY_TYPE' };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Literal =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; value: number; raw: string; span: Span }
  | { kind: 'boolean'; value: boolean; span: Span };

/** `class.property`, or a bare `property` (only meaningful inside any()). */
export interface PropertyRef {
  className: string | null;
  property: string;
  span: Span;
  /** Null for a bare property. */
  classSpan: Span | null;
  propertySpan: Span;
}

/** The parser's output: the query as written, with positions for error messages. */
export type QueryNode =
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode; span: Span }
  | { kind: 'not'; operand: QueryNode; span: Span }
  | { kind: 'compare'; op: CompareOp; property: PropertyRef; value: Literal; span: Span }
  | { kind: 'like'; negated: boolean; property: PropertyRef; pattern: Literal; span: Span }
  | { kind: 'in'; negated: boolean; property: PropertyRef; values: Literal[]; span: Span }
  | { kind: 'null'; negated: boolean; property: PropertyRef; span: Span }
  | { kind: 'any'; className: string; classSpan: Span; condition: QueryNode; span: Span };

/**
 * How a checked property reference is reached:
 * - `device`: a column of the device itself (the `device` pseudo-class);
 * - `single`: a property of a single-instance class (os, machine, memory...);
 * - `instance`: a property of the instance an enclosing any() ranges over.
 */
export type PropertyScope = 'device' | 'single' | 'instance';

export interface ResolvedProperty {
  /** Canonical spelling from the catalog (names are matched case-insensitively). */
  className: string;
  property: string;
  type: PropertyType;
  scope: PropertyScope;
}

export type LiteralValue = string | number | boolean;

/**
 * The type checker's output: names resolved against the catalog, literals converted to the
 * property's type (datetimes normalised to ISO-8601 UTC), and/or flattened. This is what the
 * server compiles to SQL; nothing in it needs the query text any more.
 */
export type CheckedNode =
  | { kind: 'and' | 'or'; operands: CheckedNode[] }
  | { kind: 'not'; operand: CheckedNode }
  | { kind: 'compare'; op: CompareOp; property: ResolvedProperty; value: LiteralValue }
  | { kind: 'like'; negated: boolean; property: ResolvedProperty; pattern: string }
  | { kind: 'in'; negated: boolean; property: ResolvedProperty; values: LiteralValue[] }
  | { kind: 'null'; negated: boolean; property: ResolvedProperty }
  | { kind: 'any'; className: string; condition: CheckedNode };

export interface CheckedQuery {
  root: CheckedNode;
}
