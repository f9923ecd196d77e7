import type { CompareOp, Literal, PropertyRef, QueryFailure, QueryNode, Span } from './ast.js';
import { QuerySyntaxError, type Token, tokenize } from './lexer.js';

/** Words with a meaning of their own. They are matched case-insensitively. */
export const QUERY_KEYWORDS = [
  'and',
  'or',
  'not',
  'like',
  'in',
  'is',
  'null',
  'true',
  'false',
  'any',
] as const;
const KEYWORDS: ReadonlySet<string> = new Set(QUERY_KEYWORDS);

// Deep enough for any hand-written query, shallow enough that neither this recursive parser
// nor the SQL engines (SQLite's expression depth limit is 1000) run out of stack.
const MAX_DEPTH = 100;

function isKeyword(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === word;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return `the text "${token.text}"`;
    default:
      return `"${token.text}"`;
  }
}

/** A span from the start of one span to the end of another. */
export function joinSpans(a: Span, b: Span): Span {
  const end = b.position + b.length;
  return { ...a, length: Math.max(a.length, end - a.position) };
}

class Parser {
  private index = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    if (!t) throw new Error('tokenize always yields an eof token');
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  private fail(message: string, token: Token = this.peek()): never {
    throw new QuerySyntaxError(message, token.span);
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`expected ${what}, found ${describe(t)}`);
    return this.next();
  }

  parseQuery(): QueryNode {
    if (this.peek().kind === 'eof')
      this.fail('the query is empty; write a condition such as os.family = "debian"');
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'eof') {
      const hint =
        rest.kind === ')' ? ' (no "(" opens it)' : '; join conditions with "and" or "or"';
      this.fail(`unexpected ${describe(rest)}${hint}`);
    }
    return node;
  }

  private nested<T>(start: Token, body: () => T): T {
    if (++this.depth > MAX_DEPTH)
      this.fail(`the query nests more than ${MAX_DEPTH} levels deep`, start);
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  private parseOr(): QueryNode {
    let left = this.parseAnd();
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'or', left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private parseAnd(): QueryNode {
    let left = this.parseNot();
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      const right = this.parseNot();
      left = { kind: 'and', left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private parseNot(): QueryNode {
    const t = this.peek();
    if (isKeyword(t, 'not')) {
      this.next();
      const operand = this.nested(t, () => this.parseNot());
      return { kind: 'not', operand, span: joinSpans(t.span, operand.span) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): QueryNode {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      const inner = this.nested(t, () => this.parseOr());
      const close = this.expect(')', '")" to close the "(" opened before');
      return { ...inner, span: joinSpans(t.span, close.span) };
    }
    if (isKeyword(t, 'any') && this.peek(1).kind === '(')
      return this.nested(t, () => this.parseAny());
    return this.parsePredicate();
  }

  private parseAny(): QueryNode {
    const start = this.next();
    this.next();
    const cls = this.peek();
    if (cls.kind !== 'word')
      this.fail(
        `expected a class name after "any(", e.g. any(package, name = "curl"), found ${describe(cls)}`,
      );
    this.next();
    this.expect(',', `"," and a condition after the class name, e.g. any(${cls.text}, ...)`);
    const condition = this.parseOr();
    const close = this.expect(')', '")" to close "any("');
    return {
      kind: 'any',
      className: cls.text,
      classSpan: cls.span,
      condition,
      span: joinSpans(start.span, close.span),
    };
  }

  private parsePropertyRef(): PropertyRef {
    const first = this.peek();
    if (
      first.kind !== 'word' ||
      (KEYWORDS.has(first.text.toLowerCase()) && this.peek(1).kind !== '.')
    ) {
      this.fail(`expected a property such as os.family, found ${describe(first)}`);
    }
    this.next();
    if (this.peek().kind !== '.') {
      return {
        className: null,
        property: first.text,
        span: first.span,
        classSpan: null,
        propertySpan: first.span,
      };
    }
    this.next();
    // After the dot any word is a property name, keywords included (a custom property may be called "in").
    const prop = this.peek();
    if (prop.kind !== 'word')
      this.fail(`expected a property name after "${first.text}.", found ${describe(prop)}`);
    this.next();
    return {
      className: first.text,
      property: prop.text,
      span: joinSpans(first.span, prop.span),
      classSpan: first.span,
      propertySpan: prop.span,
    };
  }

  private parseLiteral(): Literal {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.text, span: t.span };
    }
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: Number(t.text), raw: t.text, span: t.span };
    }
    if (isKeyword(t, 'true') || isKeyword(t, 'false')) {
      this.next();
      return { kind: 'boolean', value: isKeyword(t, 'true'), span: t.span };
    }
    if (isKeyword(t, 'null')) this.fail('compare with null using "is null" or "is not null"');
    if (t.kind === 'word')
      this.fail(`expected a value, found ${describe(t)}; put text in quotes: "${t.text}"`);
    return this.fail(
      `expected a value (text in quotes, a number, true or false), found ${describe(t)}`,
    );
  }

  private parsePredicate(): QueryNode {
    const property = this.parsePropertyRef();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      const value = this.parseLiteral();
      return {
        kind: 'compare',
        op: toCompareOp(t.text),
        property,
        value,
        span: joinSpans(property.span, value.span),
      };
    }
    const negated = isKeyword(t, 'not');
    if (negated) this.next();
    const kw = this.peek();
    if (isKeyword(kw, 'like')) {
      this.next();
      const pattern = this.peek();
      if (pattern.kind !== 'string')
        this.fail(`"like" needs a text pattern in quotes, e.g. "web%", found ${describe(pattern)}`);
      const value = this.parseLiteral();
      return {
        kind: 'like',
        negated,
        property,
        pattern: value,
        span: joinSpans(property.span, value.span),
      };
    }
    if (isKeyword(kw, 'in')) return this.parseIn(property, negated);
    if (!negated && isKeyword(kw, 'is')) {
      this.next();
      const not = isKeyword(this.peek(), 'not');
      if (not) this.next();
      const end = this.peek();
      if (!isKeyword(end, 'null'))
        this.fail(`expected "null" after "is${not ? ' not' : ''}", found ${describe(end)}`);
      this.next();
      return { kind: 'null', negated: not, property, span: joinSpans(property.span, end.span) };
    }
    const expected = negated
      ? '"like" or "in" after "not"'
      : 'an operator (=, !=, <, <=, >, >=, like, in, is null)';
    return this.fail(`expected ${expected} after ${refText(property)}, found ${describe(kw)}`);
  }

  private parseIn(property: PropertyRef, negated: boolean): QueryNode {
    this.next();
    this.expect('(', '"(" and a list of values after "in", e.g. in ("a", "b")');
    const values: Literal[] = [this.parseLiteral()];
    while (this.peek().kind === ',') {
      this.next();
      values.push(this.parseLiteral());
    }
    const close = this.expect(')', '"," or ")" in the list of values');
    return { kind: 'in', negated, property, values, span: joinSpans(property.span, close.span) };
  }
}

function refText(ref: PropertyRef): string {
  return ref.className === null ? `"${ref.property}"` : `"${ref.className}.${ref.property}"`;
}

function toCompareOp(text: string): CompareOp {
  switch (text) {
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return text;
    default:
      throw new Error(`the lexer produced an unknown operator ${text}`);
  }
}

export type ParseResult = { ok: true; ast: QueryNode } | { ok: false; error: QueryFailure };

/**
 * Parses a query into an AST. Never throws on bad input: a syntax error comes back with its
 * position (0-based offset and length, 1-based line and column) for the editor to underline.
 */
export function parseQuery(text: string): ParseResult {
  try {
    return { ok: true, ast: new Parser(tokenize(text)).parseQuery() };
  } catch (err) {
    if (err instanceof QuerySyntaxError) {
      return { ok: false, error: { code: 'QUERY_SYNTAX', message: err.message, ...err.span } };
    }
    throw err;
  }
}
