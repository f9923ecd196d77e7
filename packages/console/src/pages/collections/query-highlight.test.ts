import { describe, expect, it } from 'vitest';
import { cutPieces, highlight } from './query-highlight';

describe('query highlighting', () => {
  it('covers every character, in order, even for unfinished text', () => {
    for (const text of [
      'os.family = "deb',
      'any(package, name like "open%") and',
      'memory.',
      '  ',
      'x >= 3.5 or not y',
    ]) {
      const pieces = highlight(text);
      expect(pieces.map((p) => text.slice(p.from, p.to)).join('')).toBe(text);
      pieces.forEach((p, i) => expect(p.from).toBe(i === 0 ? 0 : pieces[i - 1]?.to));
    }
  });

  it('tells classes, properties, keywords, strings and numbers apart', () => {
    const text = 'memory.totalMb > 8000 and any(package, name = "ssh")';
    const kinds = highlight(text)
      .filter((p) => p.kind !== 'text')
      .map((p) => `${p.kind}:${text.slice(p.from, p.to)}`);
    expect(kinds).toEqual([
      'class:memory',
      'punct:.',
      'property:totalMb',
      'op:>',
      'number:8000',
      'keyword:and',
      'keyword:any',
      'punct:(',
      'class:package',
      'punct:,',
      'property:name',
      'op:=',
      'string:"ssh"',
      'punct:)',
    ]);
  });

  it('cuts pieces exactly at an error range so the underline starts and ends in the right place', () => {
    const text = 'memory.totalMB > 1';
    const cut = cutPieces(highlight(text), [7, 14]);
    expect(cut.map((p) => text.slice(p.from, p.to))).toContain('totalMB');
    const inside = cut.filter((p) => p.from >= 7 && p.to <= 14);
    expect(inside.map((p) => text.slice(p.from, p.to)).join('')).toBe('totalMB');
    expect(cut.map((p) => text.slice(p.from, p.to)).join('')).toBe(text);
  });

  it('cuts inside a token when the caret sits in the middle of a word', () => {
    const text = 'memory';
    expect(cutPieces(highlight(text), [3]).map((p) => text.slice(p.from, p.to))).toEqual([
      'mem',
      'ory',
    ]);
  });
});
