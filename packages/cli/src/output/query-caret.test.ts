import { describe, expect, it } from 'vitest';
import { lineAndColumn, parseQueryErrorDetails, renderQueryCaret } from './query-caret.js';

describe('renderQueryCaret', () => {
  it('puts carets under the failing text of a one-line query', () => {
    const q = "os.name = 'debian' and memory.totalMb > 'lots'";
    const out = renderQueryCaret(q, { position: q.indexOf("'lots'"), length: 6 });
    expect(out).toBe(`  ${q}\n  ${' '.repeat(q.indexOf("'lots'"))}^^^^^^\n`);
  });

  it('numbers the line of a multi-line query and points into it', () => {
    const q = "os.family = 'debian'\nand cpu.cores >>= 4";
    const pos = q.indexOf('>>=');
    const out = renderQueryCaret(q, { position: pos, length: 3 });
    expect(out).toBe('  2 | and cpu.cores >>= 4\n    |               ^^^\n');
  });

  it('points just past the end for an unexpected end of query', () => {
    const q = 'os.name =';
    expect(renderQueryCaret(q, { position: 9, length: 0 })).toBe('  os.name =\n           ^\n');
    expect(renderQueryCaret(q, { position: 500, length: 1 })).toBe('  os.name =\n           ^\n');
  });

  it('clamps a span that runs past the end of its line', () => {
    const q = 'ab\ncd';
    expect(renderQueryCaret(q, { position: 1, length: 10 })).toBe('  1 | ab\n    |  ^\n');
  });

  it('shows a window around the error on very long lines', () => {
    const q = `${'a = 1 and '.repeat(30)}zz ?`;
    const pos = q.indexOf('?');
    const out = renderQueryCaret(q, { position: pos, length: 1 });
    const [line, carets] = out.split('\n');
    expect(line?.startsWith('  …')).toBe(true);
    expect(line?.[carets?.indexOf('^') ?? -1]).toBe('?');
  });
});

describe('parseQueryErrorDetails', () => {
  it('reads the location, also when nested, and ignores anything else', () => {
    expect(parseQueryErrorDetails({ position: 4, length: 2, line: 1, column: 5 })).toEqual({
      position: 4,
      length: 2,
    });
    expect(parseQueryErrorDetails({ ruleIndex: 1, error: { position: 3, length: 0 } })).toEqual({
      position: 3,
      length: 1,
    });
    expect(parseQueryErrorDetails({ position: 0, length: 1, query: 'x', ruleIndex: 2 })).toEqual({
      position: 0,
      length: 1,
      query: 'x',
      ruleIndex: 2,
    });
    expect(parseQueryErrorDetails('nope')).toBeUndefined();
    expect(parseQueryErrorDetails({ line: 1 })).toBeUndefined();
  });

  it('computes 1-based line and column', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('abc', 0)).toEqual({ line: 1, column: 1 });
  });
});
