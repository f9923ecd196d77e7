import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_SETTINGS } from '../channel/policy.js';
import { inventoryTiming } from './inventory-schedule.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const settings = {
  ...DEFAULT_CLIENT_SETTINGS,
  inventoryIntervalSeconds: 3600,
  softwareScanIntervalSeconds: 86_400,
};

describe('inventory timing', () => {
  it('is due at once on first run or when a full report is pending', () => {
    expect(inventoryTiming(undefined, settings, false, now)).toEqual({
      inventoryDelayMs: 0,
      softwareScanDelayMs: 86_400_000,
      softwareScanDue: true,
    });
    const state = { classHashes: {}, fullRequired: false, lastInventoryAt: '2025-06-01T11:30:00Z' };
    expect(inventoryTiming(state, settings, true, now).inventoryDelayMs).toBe(0);
    expect(
      inventoryTiming({ ...state, fullRequired: true }, settings, false, now).inventoryDelayMs,
    ).toBe(0);
  });

  it('continues the schedule of the previous run after a restart', () => {
    const state = {
      classHashes: {},
      fullRequired: false,
      lastInventoryAt: '2025-06-01T11:30:00Z',
      lastSoftwareScanAt: '2025-05-31T00:00:00Z',
    };
    const t = inventoryTiming(state, settings, false, now);
    expect(t.inventoryDelayMs).toBe(30 * 60_000);
    expect(t.softwareScanDue).toBe(true);
    expect(t.softwareScanDelayMs).toBe(0);
  });
});
