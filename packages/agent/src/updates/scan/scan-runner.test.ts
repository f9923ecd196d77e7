import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanCatalogUpdate } from '@steward/protocol';
import {
  applyCatalog,
  readUpdateScanSchedule,
  recordScanTime,
  updateScanDelayMs,
} from './scan-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-scan-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('update scan runner', () => {
  const updates: ScanCatalogUpdate[] = [
    { id: 'a', binaries: [['a', 'amd64', '1']] },
    { id: 'b', binaries: [['b', 'amd64', '1']] },
  ];
  const held = { version: 3, updates };

  it('applies a delta that lands on its base, and refuses one that does not', () => {
    const next = applyCatalog(held, {
      version: 5,
      full: false,
      count: 2,
      updates: [{ id: 'c', binaries: [['c', 'all', '2']] }],
      removed: ['a'],
    });
    expect(next?.version).toBe(5);
    expect(next?.updates.map((u) => u.id).sort()).toEqual(['b', 'c']);
    // The site's catalog has 3 updates at version 5 but the delta leaves 2: a different base.
    expect(
      applyCatalog(held, { version: 5, full: false, count: 3, updates: [], removed: ['a'] }),
    ).toBeUndefined();
  });

  it('keeps the custom updates a delta leaves out, and takes the ones it carries (ADR 0074)', () => {
    const rules = (path: string) => ({
      match: 'all' as const,
      rules: [{ kind: 'file-exists' as const, path }],
    });
    const base = { ...held, custom: [{ id: 'x', detection: rules('/x'), applicability: null }] };
    const same = applyCatalog(base, {
      version: 4,
      full: false,
      count: 2,
      updates: [],
      removed: [],
    });
    expect(same?.custom?.map((c) => c.id)).toEqual(['x']);
    const changed = applyCatalog(base, {
      version: 5,
      full: false,
      count: 2,
      updates: [],
      removed: [],
      custom: [{ id: 'y', detection: rules('/y'), applicability: null }],
    });
    expect(changed?.custom?.map((c) => c.id)).toEqual(['y']);
    // A whole catalog without custom updates means there are none.
    const whole = applyCatalog(base, {
      version: 6,
      full: true,
      count: 0,
      updates: [],
      removed: [],
    });
    expect(whole?.custom).toEqual([]);
  });

  it('schedules the next scan an interval after the last, plus a bounded random delay', async () => {
    const now = new Date('2026-12-06T00:00:00Z');
    const week = { intervalSeconds: 604_800, randomDelaySeconds: 7200 };
    const never = await updateScanDelayMs(dir, week, now, { random: () => 0 });
    expect(never).toBe(10 * 60_000);
    await recordScanTime(dir, '2026-12-05T00:00:00.000Z');
    const replan = { replan: true, random: () => 0 };
    expect(await updateScanDelayMs(dir, week, now, replan)).toBe(6 * 86_400_000);
    const late = await updateScanDelayMs(dir, week, now, { replan: true, random: () => 0.999999 });
    expect(late).toBeGreaterThan(6 * 86_400_000);
    expect(late).toBeLessThanOrEqual(6 * 86_400_000 + 7200 * 1000);
    // The plan stays while the settings do (a new policy does not draw a new delay)...
    expect(await updateScanDelayMs(dir, week, now, { random: () => 0 })).toBe(late);
    expect((await readUpdateScanSchedule(dir))?.delaySeconds).toBe(7199);
    // ...and is planned again from the last scan when they change (a collection's setting).
    const daily = { intervalSeconds: 86_400, randomDelaySeconds: 0 };
    expect(await updateScanDelayMs(dir, daily, now, { random: () => 0.5 })).toBe(0);
    const plan = await readUpdateScanSchedule(dir);
    expect(plan).toEqual({ ...daily, nextAt: now.toISOString(), delaySeconds: 0 });
  });
});
