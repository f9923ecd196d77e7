import { describe, expect, it } from 'vitest';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ReportBatch } from '@steward/protocol';
import { FleetModel } from './fleet-model.js';
import { inventoryBatchJson, PackageJsonCache, statusBatchJson } from './payloads.js';
import { Rng } from './rng.js';
import { percentile } from './stats.js';
import { runPool, Semaphore } from './semaphore.js';

// TypeBox leaves formats to the application; the server checks date-time with Ajv.
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)));

const model = new FleetModel(
  {
    classes: { os: [{ family: 'debian', hostname: 'x' }] },
    packages: Array.from({ length: 50 }, (_, i) => ({
      name: `p${i}`,
      version: '1.0',
      arch: 'amd64',
      manager: 'dpkg' as const,
    })),
  },
  { seed: 1, driftRate: 0.5 },
);

describe('payloads', () => {
  it('builds an inventory batch that the protocol schema accepts, with the device hash', () => {
    const cache = new PackageJsonCache();
    for (let i = 0; i < 10; i++) {
      const d = model.device(i);
      const batch: unknown = JSON.parse(inventoryBatchJson(7, d, new Date().toISOString(), cache));
      expect(Value.Check(ReportBatch, batch)).toBe(true);
      expect(batch).toMatchObject({
        items: [
          {
            seq: 7,
            type: 'inventory:report',
            body: { kind: 'full', packages: { kind: 'full', hash: d.packageHash } },
          },
        ],
      });
    }
  });

  it('builds status batches with consecutive sequence numbers from the catalog', () => {
    const batch: unknown = JSON.parse(
      statusBatchJson(11, 500, new Rng(1), 'sim-00001', new Date().toISOString()),
    );
    expect(Value.Check(ReportBatch, batch)).toBe(true);
    const items = (batch as { items: { seq: number }[] }).items;
    expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 11 + i));
  });
});

describe('stats and concurrency', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
  });

  it('never runs more than the limit at once and counts errors', async () => {
    let active = 0;
    let peak = 0;
    const { errors } = await runPool(50, 4, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
      if (i % 10 === 0) throw new Error('boom');
    });
    expect(peak).toBe(4);
    expect(errors).toBe(5);
    const s = new Semaphore(2);
    await Promise.all([s.acquire(), s.acquire()]);
    expect(s.inFlight).toBe(2);
    let third = false;
    const p = s.acquire().then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    s.release();
    await p;
    expect(third).toBe(true);
  });
});
