import { isRecord } from '@steward/protocol';
import type { Style } from './style.js';

/** Where a query went wrong, as the site reports it in `details` of QUERY_SYNTAX/QUERY_TYPE. */
export interface QueryErrorLocation {
  /** 0-based offset into the query text. */
  position: number;
  length: number;
  /** The query the site checked, when it says so. */
  query?: string;
  /** Index of the failing rule in a collection definition, when it says so. */
  ruleIndex?: number;
}

function num(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads a location from an error's `details` (also nested as `details.error`). */
export function parseQueryErrorDetails(details: unknown): QueryErrorLocation | undefined {
  if (!isRecord(details)) return undefined;
  const o = details;
  const position = num(o, 'position');
  if (position === undefined) return parseQueryErrorDetails(o['error']);
  const loc: QueryErrorLocation = {
    position: Math.max(0, Math.trunc(position)),
    length: Math.max(1, Math.trunc(num(o, 'length') ?? 1)),
  };
  if (typeof o['query'] === 'string') loc.query = o['query'];
  const ruleIndex = num(o, 'ruleIndex') ?? num(o, 'rule');
  if (ruleIndex !== undefined) loc.ruleIndex = ruleIndex;
  return loc;
}

const MAX_WIDTH = 100;

/**
 * The query line holding the error with carets under the offending text:
 *
 *     os.name = 'debian' and memory.totalMb > 'lots'
 *                                            ^^^^^^
 *
 * Multi-line queries get line numbers. Line and column are computed from `position` (the
 * offset) so they always agree with the text shown; an error at the end points just past it.
 */
export function renderQueryCaret(query: string, loc: QueryErrorLocation, style?: Style): string {
  const position = Math.min(loc.position, query.length);
  const lines = query.split('\n');
  let lineIndex = 0;
  let lineStart = 0;
  while (lineIndex < lines.length - 1 && position > lineStart + (lines[lineIndex]?.length ?? 0)) {
    lineStart += (lines[lineIndex]?.length ?? 0) + 1;
    lineIndex += 1;
  }
  let text = (lines[lineIndex] ?? '').replace(/\t/g, ' ');
  let column = position - lineStart;
  let length = Math.max(1, Math.min(loc.length, text.length - column));
  // Long lines: show a window around the error.
  let prefix = '';
  if (text.length > MAX_WIDTH) {
    const start = Math.max(0, Math.min(column - 30, text.length - MAX_WIDTH));
    const end = Math.min(text.length, start + MAX_WIDTH);
    prefix = start > 0 ? '…' : '';
    text = prefix + text.slice(start, end) + (end < text.length ? '…' : '');
    column = column - start + prefix.length;
    length = Math.min(length, MAX_WIDTH - (column - prefix.length));
  }
  const carets = ' '.repeat(column) + '^'.repeat(Math.max(1, length));
  const paint = style ? style.red : (s: string) => s;
  if (lines.length === 1) return `  ${text}\n  ${paint(carets)}\n`;
  const gutter = String(lineIndex + 1);
  return `  ${gutter} | ${text}\n  ${' '.repeat(gutter.length)} | ${paint(carets)}\n`;
}

/** 1-based line and column of an offset, for messages. */
export function lineAndColumn(query: string, position: number): { line: number; column: number } {
  const before = query.slice(0, Math.min(position, query.length)).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
