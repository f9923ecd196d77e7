import type { Span } from './ast.js';

export type TokenKind = 'word' | 'string' | 'number' | 'op' | '(' | ')' | ',' | '.' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Words as written; strings unescaped; operators normalised (`<>` and `==` never appear). */
  text: string;
  span: Span;
}

/** Thrown inside the lexer and parser; parseQuery turns it into a QUERY_SYNTAX result. */
export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Maps offsets to 1-based line and column, so every token can carry its own span. */
export class SourceText {
  private readonly lineStarts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  span(start: number, end: number): Span {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= start) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo] ?? 0;
    return {
      position: start,
      length: Math.max(0, end - start),
      line: lo + 1,
      column: start - lineStart + 1,
    };
  }
}

const OPERATORS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>'] as const;
const OPERATOR_ALIASES: Record<string, string> = { '<>': '!=', '==': '=' };

// `\%` and `\_` keep their backslash so that `like` can tell a literal % or _ from a wildcard.
const ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
  '%': '\\%',
  _: '\\_',
};

function isWordStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function readString(src: SourceText, start: number): { token: Token; end: number } {
  const text = src.text;
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === quote) {
      return { token: { kind: 'string', text: value, span: src.span(start, i + 1) }, end: i + 1 };
    }
    if (c === '\\') {
      const next = text[i + 1];
      const replacement = next === undefined ? undefined : ESCAPES[next];
      if (replacement === undefined) {
        throw new QuerySyntaxError(
          next === undefined
            ? 'the string ends with a lone backslash'
            : `unknown escape "\\${next}" (use \\\\ for a backslash)`,
          src.span(i, i + 2),
        );
      }
      value += replacement;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new QuerySyntaxError(
    `the string is not closed: add the closing ${quote ?? '"'}`,
    src.span(start, text.length),
  );
}

function readNumber(src: SourceText, start: number): { token: Token; end: number } {
  const match = /^-?\d+(\.\d+)?/.exec(src.text.slice(start));
  const raw = match?.[0] ?? '';
  const end = start + raw.length;
  if (isWordStart(src.text[end] ?? '') || src.text[end] === '.') {
    let stop = end;
    while (stop < src.text.length && /[A-Za-z0-9_.]/.test(src.text[stop] ?? '')) stop++;
    throw new QuerySyntaxError(
      `"${src.text.slice(start, stop)}" is not a number; put text and versions in quotes`,
      src.span(start, stop),
    );
  }
  return { token: { kind: 'number', text: raw, span: src.span(start, end) }, end };
}

/** Splits a query into tokens, each with its position; the last token is always `eof`. */
export function tokenize(text: string): Token[] {
  const src = new SourceText(text);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const { token, end } = readString(src, i);
      tokens.push(token);
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '-' && isDigit(text[i + 1]))) {
      const { token, end } = readNumber(src, i);
      tokens.push(token);
      i = end;
      continue;
    }
    if (isWordStart(c)) {
      let end = i + 1;
      while (end < text.length && isWordChar(text[end] ?? '')) end++;
      tokens.push({ kind: 'word', text: text.slice(i, end), span: src.span(i, end) });
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({
        kind: 'op',
        text: OPERATOR_ALIASES[op] ?? op,
        span: src.span(i, i + op.length),
      });
      i += op.length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      tokens.push({ kind: c, text: c, span: src.span(i, i + 1) });
      i++;
      continue;
    }
    throw new QuerySyntaxError(`unexpected character "${c}"`, src.span(i, i + 1));
  }
  tokens.push({ kind: 'eof', text: '', span: src.span(text.length, text.length) });
  return tokens;
}
