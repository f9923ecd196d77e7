import { describe, expect, it } from 'vitest';
import { BUILTIN_CLASSES } from '../../inventory/schemas.js';
import { completionsAt, listCompletions } from './completions.js';

const labels = (items: { label: string }[]) => items.map((i) => i.label);

describe('listCompletions', () => {
  it('lists every class, device and update included', () => {
    const items = listCompletions(BUILTIN_CLASSES);
    expect(labels(items)).toEqual(['device', 'update', ...BUILTIN_CLASSES.map((c) => c.name)]);
    expect(items.find((i) => i.label === 'update')).toMatchObject({
      kind: 'class',
      multiInstance: true,
    });
    expect(labels(listCompletions(BUILTIN_CLASSES, 'update'))).toEqual(
      expect.arrayContaining(['state', 'hold', 'severityLevel', 'cve', 'version']),
    );
    expect(items.find((i) => i.label === 'disk')).toMatchObject({
      kind: 'class',
      multiInstance: true,
    });
  });
  it('lists the properties of a class with their types', () => {
    expect(listCompletions(BUILTIN_CLASSES, 'memory')).toEqual([
      { label: 'totalMb', kind: 'property', detail: 'number', type: 'number' },
      { label: 'availableMb', kind: 'property', detail: 'number', type: 'number' },
      { label: 'swapTotalMb', kind: 'property', detail: 'number', type: 'number' },
    ]);
    expect(labels(listCompletions(BUILTIN_CLASSES, 'device'))).toContain('lastContactAt');
    expect(listCompletions(BUILTIN_CLASSES, 'nope')).toEqual([]);
  });
});

describe('completionsAt', () => {
  it('offers properties after class.', () => {
    expect(completionsAt('os.fa', 5, BUILTIN_CLASSES)).toMatchObject({
      from: 3,
      to: 5,
      items: [{ label: 'family' }],
    });
  });
  it('offers classes after any(', () => {
    const r = completionsAt('any(pa', 6, BUILTIN_CLASSES);
    expect(labels(r.items)).toEqual(['package']);
    expect(r.from).toBe(4);
  });
  it('offers the enclosing class properties inside any()', () => {
    const r = completionsAt('any(disk, freeMb < 1 and mo', 27, BUILTIN_CLASSES);
    expect(labels(r.items)).toEqual(['mountPoint']);
    expect(labels(completionsAt('any(disk, ', 10, BUILTIN_CLASSES).items)).toEqual(
      expect.arrayContaining(['freeMb', 'os', 'any']),
    );
  });
  it('offers classes and keywords at the start', () => {
    expect(labels(completionsAt('', 0, BUILTIN_CLASSES).items)).toEqual(
      expect.arrayContaining(['os', 'device', 'any', 'not']),
    );
    expect(labels(completionsAt('os.family = "x" and m', 21, BUILTIN_CLASSES).items)).toEqual([
      'machine',
      'memory',
    ]);
  });
  it('offers operators after a property and and/or after a value', () => {
    expect(labels(completionsAt('os.family ', 10, BUILTIN_CLASSES).items)).toContain('like');
    expect(labels(completionsAt('os.family = "x" ', 16, BUILTIN_CLASSES).items)).toEqual([
      'and',
      'or',
    ]);
  });
  it('offers nothing inside an unfinished string', () => {
    expect(completionsAt('os.family = "deb', 16, BUILTIN_CLASSES).items).toEqual([]);
  });
});
