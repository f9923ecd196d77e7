import { describe, expect, it } from 'vitest';
import type { ExportSpec } from '@steward/protocol';
import { cellText, csvField, encodeRows } from './encode.js';
import { chunksOf } from './routes.js';

async function* chunks(...parts: unknown[][]): AsyncGenerator<readonly unknown[]> {
  for (const p of parts) yield p;
}
async function text(gen: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const part of gen) s += part;
  return s;
}

describe('CSV cells', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it('neutralises formulas in text, not in numbers', () => {
    expect(cellText('=1+2')).toBe("'=1+2");
    expect(cellText('+1')).toBe("'+1");
    expect(cellText('-x')).toBe("'-x");
    expect(cellText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(cellText('\tx')).toBe("'\tx");
    expect(cellText(-5)).toBe('-5');
    expect(cellText(['=a', 'b'])).toBe("'=a; b");
  });

  it('writes null as empty, booleans as words, objects as JSON', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(undefined)).toBe('');
    expect(cellText(false)).toBe('false');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });
});

describe('encodeRows', () => {
  it('writes a header and CRLF records', async () => {
    const csv = await text(
      encodeRows('csv', ['a', 'b'], chunks([{ a: 'x,y', b: 1 }], [{ a: null }])),
    );
    expect(csv).toBe('a,b\r\n"x,y",1\r\n,\r\n');
  });

  it('writes one parseable JSON array, also when empty', async () => {
    const json = await text(
      encodeRows('json', ['a'], chunks([{ a: 1 }, { a: 2 }], [], [{ a: 3 }])),
    );
    expect(JSON.parse(json)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(JSON.parse(await text(encodeRows('json', ['a'], chunks([]))))).toEqual([]);
  });
});

describe('chunksOf', () => {
  const spec = (paging: ExportSpec['paging'], chunk: number | undefined): ExportSpec => ({
    list: {
      method: 'GET',
      path: '/x',
      responses: {},
      permission: 'read',
      errors: [],
      summary: '',
      tags: [],
    },
    paging,
    chunk,
    columns: ['id'],
    file: 'x',
  });
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: String(100 - i) }));

  it('pages by offset until a short chunk', async () => {
    const asked: unknown[] = [];
    const all: unknown[] = [];
    for await (const c of chunksOf(spec('offset', 3), { q: 'x' }, async (query) => {
      asked.push(query);
      const offset = Number(query.offset);
      return rows.slice(offset, offset + 3);
    }))
      all.push(...c);
    expect(all).toEqual(rows);
    expect(asked).toEqual([
      { q: 'x', offset: 0, limit: 3 },
      { q: 'x', offset: 3, limit: 3 },
      { q: 'x', offset: 6, limit: 3 },
    ]);
  });

  it('pages backwards by the last row id (keyset)', async () => {
    const asked: unknown[] = [];
    const all: unknown[] = [];
    for await (const c of chunksOf(spec('cursor', 4), {}, async (query) => {
      asked.push(query);
      const before = query.before === undefined ? Infinity : Number(query.before);
      return rows.filter((r) => Number(r.id) < before).slice(0, 4);
    }))
      all.push(...c);
    expect(all).toEqual(rows);
    expect(asked).toEqual([{ limit: 4 }, { limit: 4, before: '97' }]);
  });

  it('reads an unpaged list in one call', async () => {
    let calls = 0;
    for await (const c of chunksOf(spec('whole', undefined), {}, async () => {
      calls++;
      return rows;
    }))
      expect(c).toEqual(rows);
    expect(calls).toBe(1);
  });
});
