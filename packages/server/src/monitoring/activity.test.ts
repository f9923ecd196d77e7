import { describe, expect, it } from 'vitest';
import { settingsDefaults, SiteSettingsOptions } from '@steward/protocol';
import { inventoryRan } from '../inventory/ingest.js';
import { activityCutoffs, isDeviceActive, isDeviceObsolete } from './activity-repository.js';
import { dailyPoints } from './client-activity.js';
import { inventoryGraceSeconds } from './reports.js';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const DAY = 86400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const settings = {
  ...settingsDefaults(SiteSettingsOptions),
  inactivePolicyRequestDays: 1,
  inactiveHeartbeatDays: 2,
  inactiveHardwareInventoryDays: 3,
  inactiveSoftwareInventoryDays: 4,
  inactiveStatusMessageDays: 5,
};
const quiet = {
  revoked_at: null,
  last_policy_request_at: null,
  last_heartbeat_at: null,
  last_hardware_inventory_at: null,
  last_software_inventory_at: null,
  last_status_at: null,
  last_contact_at: null,
  obsolete_at: null,
  activity_checked_at: null,
  activity_check_outcome: null,
} as const;

describe('client activity: the one definition', () => {
  const c = activityCutoffs(NOW, settings);

  it('keeps a device active while any one signal is within its own threshold', () => {
    const cases = [
      ['last_policy_request_at', 1],
      ['last_heartbeat_at', 2],
      ['last_hardware_inventory_at', 3],
      ['last_software_inventory_at', 4],
      ['last_status_at', 5],
    ] as const;
    for (const [column, days] of cases) {
      expect(isDeviceActive({ ...quiet, [column]: ago(days - 0.01) }, c), column).toBe(true);
      expect(isDeviceActive({ ...quiet, [column]: ago(days + 0.01) }, c), column).toBe(false);
    }
    expect(isDeviceActive(quiet, c)).toBe(false);
  });

  it('counts an answered ping within the heartbeat threshold, and only an answer', () => {
    const pinged = {
      ...quiet,
      activity_checked_at: ago(1),
      activity_check_outcome: 'ping-answered',
    } as const;
    expect(isDeviceActive(pinged, c)).toBe(true);
    expect(isDeviceActive({ ...pinged, activity_checked_at: ago(3) }, c)).toBe(false);
    expect(isDeviceActive({ ...pinged, activity_check_outcome: 'probe-answered' }, c)).toBe(false);
  });

  it('never calls an obsolete or revoked device active; contact after the mark ends obsolete', () => {
    const busy = { ...quiet, last_heartbeat_at: ago(0.5), last_contact_at: ago(1) };
    expect(isDeviceActive({ ...busy, revoked_at: ago(0) }, c)).toBe(false);
    const marked = { ...busy, obsolete_at: ago(0.9) };
    expect(isDeviceObsolete(marked)).toBe(true);
    expect(isDeviceActive(marked, c)).toBe(false);
    const back = { ...marked, last_contact_at: ago(0.1) };
    expect(isDeviceObsolete(back)).toBe(false);
    expect(isDeviceActive(back, c)).toBe(true);
  });

  it('looks ahead: a device about to cross is not active at the later instant', () => {
    const d = { ...quiet, last_heartbeat_at: ago(1.95) };
    expect(isDeviceActive(d, c)).toBe(true);
    expect(isDeviceActive(d, activityCutoffs(NOW, settings, 2 * 3600_000))).toBe(false);
  });
});

describe('client status history', () => {
  it('keeps the last point of each UTC day', () => {
    expect(
      dailyPoints([
        { at: '2026-06-01T10:00:00.000Z', active: 1, inactive: 5 },
        { at: '2026-06-01T23:00:00.000Z', active: 2, inactive: 4 },
        { at: '2026-06-03T00:00:00.000Z', active: 3, inactive: 3 },
      ]),
    ).toEqual([
      { day: '2026-06-01', active: 2, inactive: 4 },
      { day: '2026-06-03', active: 3, inactive: 3 },
    ]);
  });
});

describe('inventory signals', () => {
  const at = NOW.toISOString();
  it('reads what the agent says it ran, else guesses from the classes (older agents)', () => {
    expect(
      inventoryRan({ kind: 'delta', collectedAt: at, classes: {}, collected: ['software'] }),
    ).toEqual({
      hardware: false,
      software: true,
    });
    expect(inventoryRan({ kind: 'delta', collectedAt: at, classes: {} })).toEqual({
      hardware: true,
      software: false,
    });
    expect(inventoryRan({ kind: 'delta', collectedAt: at, classes: { softwareFile: [] } })).toEqual(
      {
        hardware: false,
        software: true,
      },
    );
  });

  it('allows 10% past the interval, at least 10 minutes', () => {
    expect(inventoryGraceSeconds(86400)).toBe(8640);
    expect(inventoryGraceSeconds(3600)).toBe(600);
  });
});
