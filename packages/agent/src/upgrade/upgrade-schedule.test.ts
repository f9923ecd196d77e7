import { describe, expect, it } from 'vitest';
import type { WindowSpec } from '@steward/protocol';
import { fitWindow, upgradeTime, UPGRADE_DURATION_MS } from './upgrade-schedule.js';
import { parseHelperResult } from './upgrade-state.js';

const HOUR = 3_600_000;
const nightly: WindowSpec = {
  start: '2026-01-01T22:00',
  durationMinutes: 120,
  recurrence: { kind: 'daily', everyDays: 1 },
  timeBase: 'utc',
  appliesTo: 'all',
  enabled: true,
};

describe('agent upgrade time', () => {
  const now = Date.parse('2026-03-10T08:00:00Z');

  it('is a random instant within the upgrade window when the device has no maintenance window', () => {
    expect(upgradeTime({ nowMs: now, windowHours: 24, windows: [], random: 0 })).toBe(now);
    expect(upgradeTime({ nowMs: now, windowHours: 24, windows: [], random: 0.5 })).toBe(
      now + 12 * HOUR,
    );
    expect(upgradeTime({ nowMs: now, windowHours: 24, windows: [], random: 0.999 })).toBeLessThan(
      now + 24 * HOUR,
    );
  });

  it('moves into the next maintenance window the upgrade fits in', () => {
    const at = upgradeTime({ nowMs: now, windowHours: 4, windows: [nightly], random: 0.5 });
    expect(new Date(at).toISOString()).toBe('2026-03-10T22:00:00.000Z');
    // Inside the window, with room for the upgrade: kept.
    const inside = Date.parse('2026-03-10T22:30:00Z');
    expect(fitWindow([nightly], inside)).toBe(inside);
    // Too close to the window's end for an upgrade: the next night.
    const late = Date.parse('2026-03-10T24:00:00Z') - UPGRADE_DURATION_MS / 2;
    expect(new Date(fitWindow([nightly], late)).toISOString()).toBe('2026-03-11T22:00:00.000Z');
  });

  it('ignores windows for software updates only and disabled ones', () => {
    const others: WindowSpec[] = [
      { ...nightly, appliesTo: 'software-updates' },
      { ...nightly, enabled: false },
    ];
    expect(fitWindow(others, now)).toBe(now);
  });
});

describe("upgrade-agent.sh's result file", () => {
  it('reads state, code, reason and time', () => {
    expect(
      parseHelperResult(
        'state=rolled-back\ncode=AGENT_UPGRADE_NOT_STARTED\nreason=new version 1.2.3 exited: a=b\nfinished=2026-03-10T08:00:00.000Z\n',
      ),
    ).toEqual({
      state: 'rolled-back',
      code: 'AGENT_UPGRADE_NOT_STARTED',
      reason: 'new version 1.2.3 exited: a=b',
      finishedAt: '2026-03-10T08:00:00.000Z',
    });
    expect(parseHelperResult('state=succeeded\ncode=\nreason=\nfinished=x\n')).toMatchObject({
      state: 'succeeded',
      code: null,
      reason: null,
    });
  });

  it('refuses a torn or unknown file', () => {
    expect(parseHelperResult('')).toBeUndefined();
    expect(parseHelperResult('state=maybe\n')).toBeUndefined();
  });
});
