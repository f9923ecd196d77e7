import { describe, expect, it } from 'vitest';
import type { Literal, QueryNode } from './ast.js';
import { parseQuery } from './parser.js';

function lit(v: Literal): string {
  return v.kind === 'string' ? JSON.stringify(v.value) : String(v.value);
}

/** A compact rendering of the AST, so precedence is visible at a glance. */
function show(node: QueryNode): string {
  const ref = (n: { property: { className: string | null; property: string } }) =>
    n.property.className === null
      ? n.property.property
      : `${n.property.className}.${n.property.property}`;
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind} ${show(node.left)} ${show(node.right)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'compare':
      return `${ref(node)}${node.op}${lit(node.value)}`;
    case 'like':
      return `${ref(node)} ${node.negated ? 'not ' : ''}like ${lit(node.pattern)}`;
    case 'in':
      return `${ref(node)} ${node.negated ? 'not ' : ''}in [${node.values.map(lit).join(',')}]`;
    case 'null':
      return `${ref(node)} is ${node.negated ? 'not ' : ''}null`;
    case 'any':
      return `any(${node.className}, ${show(node.condition)})`;
  }
}

function parsed(text: string): string {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`);
  return show(r.ast);
}

function failure(text: string) {
  const r = parseQuery(text);
  if (r.ok) throw new Error(`expected a syntax error for ${text}`);
  return r.error;
}

describe('parseQuery: precedence', () => {
  it('binds and tighter than or', () => {
    expect(parsed('a.x = 1 or b.y = 2 and c.z = 3')).toBe('(or a.x=1 (and b.y=2 c.z=3))');
    expect(parsed('a.x = 1 and b.y = 2 or c.z = 3')).toBe('(or (and a.x=1 b.y=2) c.z=3)');
  });
  it('binds not tighter than and', () => {
    expect(parsed('not a.x = 1 and b.y = 2')).toBe('(and (not a.x=1) b.y=2)');
    expect(parsed('not not a.x = 1')).toBe('(not (not a.x=1))');
  });
  it('lets parentheses override precedence', () => {
    expect(parsed('(a.x = 1 or b.y = 2) and c.z = 3')).toBe('(and (or a.x=1 b.y=2) c.z=3)');
    expect(parsed('not (a.x = 1 or b.y = 2)')).toBe('(not (or a.x=1 b.y=2))');
  });
  it('is left-associative for chains', () => {
    expect(parsed('a.x = 1 or b.x = 2 or c.x = 3')).toBe('(or (or a.x=1 b.x=2) c.x=3)');
  });
  it('parses any() with a nested condition', () => {
    expect(parsed('any(disk, freeMb < 100 and (mountPoint = "/" or disk.fsType = "xfs"))')).toBe(
      'any(disk, (and freeMb<100 (or mountPoint="/" disk.fsType="xfs")))',
    );
  });
  it('parses the example from the user guide', () => {
    expect(
      parsed(
        'os.family = "debian" and memory.totalMb >= 3072 and any(package, name = "postgresql-15")',
      ),
    ).toBe(
      '(and (and os.family="debian" memory.totalMb>=3072) any(package, name="postgresql-15"))',
    );
  });
});

describe('parseQuery: operators and literals', () => {
  it.each([
    ['m.p = 1', 'm.p=1'],
    ['m.p == 1', 'm.p=1'],
    ['m.p != 1', 'm.p!=1'],
    ['m.p <> 1', 'm.p!=1'],
    ['m.p < 1', 'm.p<1'],
    ['m.p <= 1', 'm.p<=1'],
    ['m.p > 1', 'm.p>1'],
    ['m.p >= 1', 'm.p>=1'],
    ['m.p like "a%"', 'm.p like "a%"'],
    ['m.p not like "a_"', 'm.p not like "a_"'],
    ['m.p in ("a", "b")', 'm.p in ["a","b"]'],
    ['m.p not in (1, 2, 3)', 'm.p not in [1,2,3]'],
    ['m.p is null', 'm.p is null'],
    ['m.p is not null', 'm.p is not null'],
    ['m.p = true', 'm.p=true'],
    ['m.p = FALSE', 'm.p=false'],
    ['m.p = -12', 'm.p=-12'],
    ['m.p = 3.25', 'm.p=3.25'],
    ['m.p = -0.5', 'm.p=-0.5'],
    ["m.p = 'single'", 'm.p="single"'],
    ['m.p>=1', 'm.p>=1'],
  ])('%s', (text, expected) => {
    expect(parsed(text)).toBe(expected);
  });

  it('reads keywords in any case', () => {
    expect(parsed('NOT m.p IS NOT NULL AND m.q NOT LIKE "x" Or ANY(disk, x IN (1))')).toBe(
      '(or (and (not m.p is not null) m.q not like "x") any(disk, x in [1]))',
    );
  });
  it('unescapes strings and keeps \\% and \\_ for like', () => {
    expect(parsed(String.raw`m.p = "a\"b\\c\n"`)).toBe('m.p="a\\"b\\\\c\\n"');
    expect(parsed(String.raw`m.p = 'it\'s'`)).toBe(`m.p="it's"`);
    expect(parsed(String.raw`m.p like "50\%"`)).toBe('m.p like "50\\\\%"');
  });
  it('allows keywords as property names after a dot', () => {
    expect(parsed('custom.in = 1 and any.like = 2')).toBe('(and custom.in=1 any.like=2)');
  });
});

describe('parseQuery: errors carry positions', () => {
  it('reports an empty query', () => {
    expect(failure('   ')).toMatchObject({
      code: 'QUERY_SYNTAX',
      message: expect.stringContaining('empty'),
    });
  });
  it('points at a missing value at the end', () => {
    expect(failure('os.family = ')).toMatchObject({
      code: 'QUERY_SYNTAX',
      position: 12,
      length: 0,
      line: 1,
      column: 13,
    });
  });
  it('points at the unexpected token on a later line', () => {
    expect(failure('os.family = "debian"\n  and and')).toMatchObject({
      position: 27,
      length: 3,
      line: 2,
      column: 7,
    });
  });
  it('reports an unterminated string from its opening quote', () => {
    expect(failure('os.name like "deb')).toMatchObject({
      position: 13,
      length: 4,
      message: expect.stringContaining('not closed'),
    });
  });
  it('reports an unknown escape', () => {
    expect(failure(String.raw`os.name = "a\qb"`)).toMatchObject({
      position: 12,
      length: 2,
      message: expect.stringContaining('escape'),
    });
  });
  it('reports an unexpected character', () => {
    expect(failure('os.name = "a" && os.x = 1')).toMatchObject({
      position: 14,
      length: 1,
      message: 'unexpected character "&"',
    });
  });
  it('explains "= null"', () => {
    expect(failure('os.name = null')).toMatchObject({
      position: 10,
      length: 4,
      message: expect.stringContaining('is null'),
    });
  });
  it('explains unquoted text', () => {
    expect(failure('os.family = debian').message).toContain('put text in quotes: "debian"');
  });
  it('refuses dotted numbers and suggests quotes', () => {
    expect(failure('os.version >= 12.04.1')).toMatchObject({
      position: 14,
      length: 7,
      message: expect.stringContaining('quotes'),
    });
  });
  it('reports an unclosed parenthesis at the end', () => {
    expect(failure('(os.family = "x"')).toMatchObject({
      position: 16,
      message: expect.stringContaining('")"'),
    });
  });
  it('reports a stray closing parenthesis', () => {
    expect(failure('os.family = "x")')).toMatchObject({
      position: 15,
      message: expect.stringContaining('no "(" opens it'),
    });
  });
  it('reports two conditions without and/or', () => {
    expect(failure('os.family = "x" os.name = "y"')).toMatchObject({
      position: 16,
      message: expect.stringContaining('"and" or "or"'),
    });
  });
  it('reports a bad any()', () => {
    expect(failure('any("disk", x = 1)')).toMatchObject({
      position: 4,
      message: expect.stringContaining('class name'),
    });
    expect(failure('any(disk x = 1)')).toMatchObject({
      position: 9,
      message: expect.stringContaining('","'),
    });
    expect(failure('any(disk, x = 1')).toMatchObject({
      position: 15,
      message: expect.stringContaining('any('),
    });
  });
  it('reports a missing operator', () => {
    expect(failure('os.family "x"')).toMatchObject({
      position: 10,
      message: expect.stringContaining('operator'),
    });
    expect(failure('os.family not = "x"')).toMatchObject({
      position: 14,
      message: expect.stringContaining('"like" or "in"'),
    });
    expect(failure('os.family is "x"')).toMatchObject({
      position: 13,
      message: expect.stringContaining('"null"'),
    });
  });
  it('reports like without a text pattern', () => {
    expect(failure('os.family like 3')).toMatchObject({
      position: 15,
      message: expect.stringContaining('pattern'),
    });
  });
  it('reports a bad in-list', () => {
    expect(failure('os.family in "a"')).toMatchObject({ position: 13 });
    expect(failure('os.family in ("a" "b")')).toMatchObject({
      position: 18,
      message: expect.stringContaining('","'),
    });
    expect(failure('os.family in ()')).toMatchObject({ position: 14 });
  });
  it('refuses a keyword where a property belongs', () => {
    expect(failure('and = 1')).toMatchObject({
      position: 0,
      message: expect.stringContaining('property'),
    });
  });
  it('limits nesting depth instead of overflowing the stack', () => {
    expect(failure('('.repeat(500) + 'a.b = 1' + ')'.repeat(500)).message).toContain(
      'nests more than',
    );
    expect(failure('not '.repeat(500) + 'a.b = 1').message).toContain('nests more than');
  });
  it('handles long flat chains', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `a.b = ${i}`).join(' or ');
    expect(parseQuery(text).ok).toBe(true);
  });
});
