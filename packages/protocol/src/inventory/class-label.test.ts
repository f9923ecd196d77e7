import { describe, expect, it } from 'vitest';
import { BUILTIN_CLASSES, inventoryClassLabel } from './schemas.js';

describe('inventoryClassLabel', () => {
  it('gives every built-in class its declared label', () => {
    expect(inventoryClassLabel('os')).toBe('Operating system');
    expect(inventoryClassLabel('listeningPort')).toBe('Listening ports');
    for (const c of BUILTIN_CLASSES) {
      expect(c.label, c.name).toBeTruthy();
      expect(inventoryClassLabel(c.name)).toBe(c.label);
    }
  });

  it('spells out a custom class name', () => {
    expect(inventoryClassLabel('diskQuota')).toBe('Disk quota');
    expect(inventoryClassLabel('listening_port')).toBe('Listening port');
    expect(inventoryClassLabel('x')).toBe('X');
  });
});
