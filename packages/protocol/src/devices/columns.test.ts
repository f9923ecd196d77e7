import { describe, expect, it } from 'vitest';
import {
  BUILTIN_DEVICE_COLUMNS,
  DEFAULT_DEVICE_COLUMNS,
  deviceColumnLabel,
  deviceColumnSource,
  parseDeviceColumn,
  splitColumnList,
} from './columns.js';

describe('the device column catalogue', () => {
  it('names every built-in column once, defaults among them', () => {
    const ids = BUILTIN_DEVICE_COLUMNS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of DEFAULT_DEVICE_COLUMNS) expect(ids).toContain(id);
    for (const id of ['agentVersion', 'enrolled', 'serial', 'lastInventory', 'freeDisk', 'user'])
      expect(ids).toContain(id);
  });

  it('parses inventory property ids, and refuses other shapes', () => {
    expect(parseDeviceColumn('inventory.cpu.model')).toEqual({
      kind: 'inventory',
      id: 'inventory.cpu.model',
      source: { className: 'cpu', property: 'model' },
    });
    expect(parseDeviceColumn('status')).toMatchObject({ kind: 'builtin' });
    for (const bad of [
      'colour',
      'inventory.cpu',
      'inventory.cpu.model.x',
      'inventory..x',
      "inventory.cpu.mo'del",
      '',
    ])
      expect(parseDeviceColumn(bad), bad).toBeUndefined();
  });

  it('knows where inventory-backed columns read and how they are labelled', () => {
    expect(deviceColumnSource('serial')).toEqual({
      className: 'machine',
      property: 'serialNumber',
    });
    expect(deviceColumnSource('freeDisk')).toEqual({
      className: 'disk',
      property: 'freeMb',
      where: { property: 'mountPoint', equals: '/' },
    });
    expect(deviceColumnSource('name')).toBeUndefined();
    expect(deviceColumnLabel('inventory.assetTag.tag')).toBe('assetTag.tag');
    expect(deviceColumnLabel('enrolled')).toBe('Enrolled');
  });

  it('splits a column list, dropping blanks', () => {
    expect(splitColumnList(' name, ,inventory.cpu.model,')).toEqual([
      'name',
      'inventory.cpu.model',
    ]);
    expect(splitColumnList('')).toEqual([]);
  });
});
