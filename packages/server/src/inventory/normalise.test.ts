import { describe, expect, it } from 'vitest';
import { BUILTIN_CLASSES } from '@steward/protocol';
import { normaliseInstances } from './normalise.js';

const shape = (name: string) => BUILTIN_CLASSES.find((c) => c.name === name);

describe('normaliseInstances', () => {
  it('coerces reported text to the declared property types', () => {
    expect(
      normaliseInstances(shape('memory'), [
        { totalMb: '24106', availableMb: ' 12 ', swapTotalMb: '' },
      ]),
    ).toEqual([{ totalMb: 24106, availableMb: 12, swapTotalMb: null }]);
    expect(
      normaliseInstances(shape('machine'), [
        { hasBattery: 'false', chassisType: '', bootTime: '2026-11-22T14:00:14Z', type: 'server' },
      ]),
    ).toEqual([
      {
        hasBattery: false,
        chassisType: null,
        bootTime: '2026-11-22T14:00:14.000Z',
        type: 'server',
      },
    ]);
    expect(normaliseInstances(shape('cpu'), [{ cores: 'many' }])).toEqual([{ cores: null }]);
  });

  it('keeps unknown classes and properties as reported', () => {
    expect(normaliseInstances(undefined, [{ a: '1' }])).toEqual([{ a: '1' }]);
    expect(normaliseInstances(shape('os'), [{ family: 'debian', extra: '1' }])).toEqual([
      { family: 'debian', extra: '1' },
    ]);
  });
});
