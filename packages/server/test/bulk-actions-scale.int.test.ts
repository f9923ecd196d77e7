/**
 * The measurement behind ADR 0031 (bulk actions answer in the request): 10,000 devices enrolled
 * through the real agent endpoint, then each bulk action on all of them by filter, timed at the
 * client. Runs only with STEWARD_BULK_SCALE=1 (SQLite, or =postgres); writes
 * bench/results/bulk-actions-<dialect>.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkDeviceActionRequest } from '@steward/protocol';
import { createTestSite, REPO, type Site } from '../../../test-support/site.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';

const wanted = process.env.STEWARD_BULK_SCALE;
const dialect = wanted === 'postgres' ? 'postgres' : 'sqlite';
const COUNT = Number(process.env.STEWARD_BULK_SCALE_DEVICES ?? 10_000);

describe.skipIf(!wanted)('bulk actions on 10,000 devices', () => {
  let site: Site;
  const timings: Record<string, { ms: number; matched: number; done: number }> = {};
  let enrolMs = 0;

  beforeAll(async () => {
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    const started = Date.now();
    const names = Array.from({ length: COUNT }, (_, i) => `fleet-${String(i).padStart(5, '0')}`);
    await enrolVirtualDevices(site, names, 32);
    enrolMs = Date.now() - started;
    await site.api.createCollection({ name: 'Fleet', rules: [] });
  }, 1_800_000);
  afterAll(async () => {
    await site?.stop();
  });

  const time = async (label: string, req: BulkDeviceActionRequest) => {
    const started = Date.now();
    const r = await site.api.bulkDeviceAction(req);
    timings[label] = { ms: Date.now() - started, matched: r.matched, done: r.done };
    return r;
  };

  it('acts on every device by filter within the request', async () => {
    const all = { filter: { search: 'fleet-' } };
    const list = Date.now();
    const page = await site.api.listDevices({ search: 'fleet-', limit: 50 });
    timings['list page (50 of all, for comparison)'] = {
      ms: Date.now() - list,
      matched: page.total,
      done: 0,
    };
    expect((await time('policy:fetch', { selection: all, action: 'policy:fetch' })).done).toBe(
      COUNT,
    );
    expect(
      (await time('inventory:collect', { selection: all, action: 'inventory:collect' })).done,
    ).toBe(COUNT);
    expect(
      (
        await time('collection:add', {
          selection: all,
          action: 'collection:add',
          collection: 'Fleet',
          expectedCount: COUNT,
        })
      ).done,
    ).toBe(COUNT);
    expect((await site.api.collectionMembers('Fleet', { limit: 1 })).total).toBe(COUNT);
    expect(
      (
        await time('collection:remove', {
          selection: all,
          action: 'collection:remove',
          collection: 'Fleet',
        })
      ).done,
    ).toBe(COUNT);
    expect((await time('revoke', { selection: all, action: 'revoke' })).done).toBe(COUNT);
    writeFileSync(
      join(REPO, 'bench', 'results', `bulk-actions-${dialect}.json`),
      `${JSON.stringify(
        {
          what: 'POST /devices/bulk-actions on every device by filter, timed at the client (ADR 0031)',
          dialect,
          devices: COUNT,
          cpus: cpus().length,
          note: 'the machine was shared with other test runs (load average above 10)',
          enrolMs,
          timings,
        },
        null,
        2,
      )}\n`,
    );
  }, 1_800_000);
});
