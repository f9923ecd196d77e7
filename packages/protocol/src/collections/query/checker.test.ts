import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CLASSES,
  customClassShape,
  type InventoryClassShape,
} from '../../inventory/schemas.js';
import { suggestName } from './catalog.js';
import { checkQuery } from './checker.js';
import { normaliseDatetime } from './literals.js';
import { parseQuery } from './parser.js';
import { validateQuery } from './validate.js';

const javaRuntime: InventoryClassShape = customClassShape({
  name: 'javaRuntime',
  description: 'Installed Java runtimes',
  multiInstance: true,
  source: { kind: 'command', command: 'true', format: 'json' },
  properties: [
    { name: 'vendor', type: 'string', from: 'vendor' },
    { name: 'version', type: 'version', from: 'version' },
  ],
});
const catalog: InventoryClassShape[] = [...BUILTIN_CLASSES, javaRuntime];

function ok(text: string) {
  const r = validateQuery(text, catalog);
  if (!r.ok) throw new Error(`unexpected ${r.error.code}: ${r.error.message}`);
  return r.query.root;
}

function typeError(text: string) {
  const r = validateQuery(text, catalog);
  if (r.ok) throw new Error(`expected a type error for ${text}`);
  expect(r.error.code).toBe('QUERY_TYPE');
  return r.error;
}

describe('checkQuery: resolution', () => {
  it('resolves single-instance, device and any() properties with their scope', () => {
    expect(ok('os.family = "debian"')).toEqual({
      kind: 'compare',
      op: '=',
      property: { className: 'os', property: 'family', type: 'string', scope: 'single' },
      value: 'debian',
    });
    expect(ok('device.name like "web%"')).toMatchObject({
      property: { scope: 'device', type: 'string' },
    });
    expect(ok('any(disk, freeMb < 100 and disk.mountPoint = "/")')).toMatchObject({
      kind: 'any',
      className: 'disk',
      condition: {
        kind: 'and',
        operands: [
          { property: { className: 'disk', property: 'freeMb', scope: 'instance' } },
          { property: { className: 'disk', property: 'mountPoint', scope: 'instance' } },
        ],
      },
    });
  });
  it('matches class and property names case-insensitively, returning catalog spelling', () => {
    expect(ok('OS.FAMILY = "x" and Memory.totalmb > 1')).toMatchObject({
      operands: [
        { property: { className: 'os', property: 'family' } },
        { property: { className: 'memory', property: 'totalMb' } },
      ],
    });
  });
  it('flattens chains of and/or', () => {
    const root = ok('os.family = "a" or os.family = "b" or os.family = "c" and memory.totalMb > 1');
    expect(root).toMatchObject({
      kind: 'or',
      operands: [{ kind: 'compare' }, { kind: 'compare' }, { kind: 'and' }],
    });
  });
  it('allows other classes inside any()', () => {
    expect(ok('any(disk, freeMb < 100 and os.family = "debian")')).toMatchObject({
      condition: {
        operands: [{ property: { scope: 'instance' } }, { property: { scope: 'single' } }],
      },
    });
  });
  it('accepts custom classes', () => {
    expect(ok('any(javaRuntime, version >= "17")')).toMatchObject({
      condition: {
        property: { className: 'javaRuntime', type: 'version', scope: 'instance' },
        value: '17',
      },
    });
  });
  it('accepts every operator on the types it suits', () => {
    for (const q of [
      'memory.totalMb >= 3072.5',
      'memory.totalMb in (1024, 2048)',
      'memory.totalMb not in (-1)',
      'machine.hasBattery = true',
      'machine.hasBattery != false',
      'os.version >= "12"',
      'os.version like "12.%"',
      'os.kernel not in ("6.1.0-18-amd64")',
      'device.lastContactAt < "2026-01-31"',
      'machine.bootTime is null',
      'os.codename is not null',
      'os.family not like "deb%"',
    ]) {
      expect(validateQuery(q, catalog).ok, q).toBe(true);
    }
  });
});

describe('checkQuery: the update pseudo-class', () => {
  it('resolves update properties inside any() and refuses them outside', () => {
    expect(
      ok('memory.totalMb > 3072 and any(update, state = "required" and severityLevel >= 3)'),
    ).toMatchObject({
      kind: 'and',
      operands: [
        { kind: 'compare' },
        {
          kind: 'any',
          className: 'update',
          condition: {
            kind: 'and',
            operands: [
              { property: { className: 'update', property: 'state', scope: 'instance' } },
              { property: { property: 'severityLevel', type: 'number' }, value: 3 },
            ],
          },
        },
      ],
    });
    expect(typeError('update.state = "required"').message).toContain('any(update,');
    expect(typeError('any(update, cvee = "CVE-2024-5535")').message).toContain('cve');
  });
});

describe('checkQuery: type errors', () => {
  it('refuses a multi-instance property outside any() and shows the rewrite', () => {
    const e = typeError('os.family = "debian" and disk.freeMb < 1000');
    expect(e).toMatchObject({ position: 25, length: 11, line: 1, column: 26 });
    expect(e.message).toContain('any(disk, freeMb < 1000)');
    expect(typeError('package.name = "curl"').message).toContain('any(package, name = "curl")');
  });
  it('suggests the closest class or property name', () => {
    expect(typeError('oss.family = "x"')).toMatchObject({
      position: 0,
      length: 3,
      message: 'unknown class "oss"; did you mean "os"?',
    });
    expect(typeError('os.famliy = "x"')).toMatchObject({
      position: 3,
      length: 6,
      message: expect.stringContaining('did you mean "family"?'),
    });
    expect(typeError('memory.total = 1').message).toContain('did you mean "totalMb"?');
    expect(typeError('any(pakage, name = "x")')).toMatchObject({
      position: 4,
      message: expect.stringContaining('"package"'),
    });
    expect(typeError('any(disk, freMb < 1)').message).toContain('"freeMb"');
  });
  it('lists the properties when nothing is close', () => {
    expect(typeError('memory.zzzzzz = 1').message).toContain(
      '(it has totalMb, availableMb, swapTotalMb)',
    );
  });
  it('explains bare names outside any()', () => {
    expect(typeError('totalMb > 1').message).toContain('memory.totalMb');
    expect(typeError('freeMb > 1').message).toContain('any(disk, freeMb > 1)');
    expect(typeError('os = "debian"').message).toContain('"os" is a class');
    expect(typeError('nothing = "debian"').message).toContain('class.property');
  });
  it('refuses number/string mismatches with a hint', () => {
    expect(typeError('memory.totalMb >= "3072"')).toMatchObject({
      position: 18,
      length: 6,
      message: expect.stringContaining('remove the quotes: 3072'),
    });
    expect(typeError('memory.totalMb = "lots"').message).toContain('is a number');
    expect(typeError('os.family = 12').message).toContain('put the value in quotes: "12"');
    expect(typeError('os.family in ("a", 2)')).toMatchObject({ position: 19 });
  });
  it('refuses like on numbers and booleans', () => {
    expect(typeError('memory.totalMb like "1%"')).toMatchObject({
      position: 0,
      message: expect.stringContaining('"like" matches text'),
    });
    expect(typeError('machine.hasBattery not like "t%"').message).toContain('"like" matches text');
  });
  it('refuses ordering and non-boolean values on booleans', () => {
    expect(typeError('machine.hasBattery > true').message).toContain('= or !=');
    expect(typeError('machine.hasBattery = "yes"').message).toContain('true or false');
  });
  it('requires versions in quotes (a number would lose digits)', () => {
    expect(typeError('os.version >= 12.10').message).toContain('"12.10"');
    expect(typeError('os.version >= ""').message).toContain('empty version');
  });
  it('validates dates', () => {
    expect(typeError('device.enrolledAt > "yesterday"').message).toContain('2026-01-31');
    expect(typeError('device.enrolledAt > "2026-02-30"').message).toContain('date');
    expect(typeError('device.enrolledAt > 20260101').message).toContain('date');
  });
  it('refuses any() over device and nested any() over the same class', () => {
    expect(typeError('any(device, name = "x")').message).toContain('device.name');
    expect(typeError('any(disk, any(disk, freeMb < 1))').message).toContain(
      'already inside any(disk',
    );
  });
  it('refuses a class name used as a property inside any()', () => {
    expect(typeError('any(disk, os = "x")').message).toContain('"os" is a class');
  });
  it('checks a parsed AST on its own', () => {
    const parsed = parseQuery('os.family = "debian"');
    if (!parsed.ok) throw new Error('parse failed');
    expect(checkQuery(parsed.ast, []).ok).toBe(false);
    expect(checkQuery(parsed.ast, BUILTIN_CLASSES).ok).toBe(true);
  });
});

describe('literals and suggestions', () => {
  it('normalises dates to ISO-8601 UTC', () => {
    expect(normaliseDatetime('2026-01-31')).toBe('2026-01-31T00:00:00.000Z');
    expect(normaliseDatetime('2026-01-31 08:30')).toBe('2026-01-31T08:30:00.000Z');
    expect(normaliseDatetime('2026-01-31T08:30:00+02:00')).toBe('2026-01-31T06:30:00.000Z');
    expect(normaliseDatetime('2026-01-31T08:30:00.5Z')).toBe('2026-01-31T08:30:00.500Z');
    expect(normaliseDatetime('31/01/2026')).toBeUndefined();
  });
  it('suggests plausible typos and prefixes only', () => {
    expect(suggestName('famly', ['family', 'name'])).toBe('family');
    expect(suggestName('mem', ['memory', 'machine'])).toBe('memory');
    expect(suggestName('networkadaptor', ['networkAdapter', 'ipAddress'])).toBe('networkAdapter');
    expect(suggestName('qqq', ['family', 'name'])).toBeUndefined();
  });
});
