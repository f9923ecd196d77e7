/**
 * Bulk actions on discovered machines (issue 12, ADR 0040 extending ADR 0031) against a real
 * site on SQLite and PostgreSQL: machines found by a real sweep of loopback addresses (ICMP
 * only; loopback answers on every address, nothing leaves the machine), then the same
 * selection as the device list (addresses, or the list's filter resolved on the site), the
 * confirmed count, one audit entry per action, failures per reason, and the CLI with --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, type BulkDiscoveredResult, type CallArgs } from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { makeKeyPair } from '../../../test-support/sshd-hosts.js';

const pgUp = await pgReachable();
const dialects: TestDialect[] = ['sqlite', 'postgres'];

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof ApiError ? err.code : String(err)),
  );

describe.each(dialects)('bulk actions on discovered machines on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let site: Site;
    let env: NodeJS.ProcessEnv;
    let all: string[];
    let found = '';

    const machines = async (search?: string) =>
      (
        await site.api.call(ops.discovery.listMachines, {
          query: { ...(search !== undefined ? { search } : {}), limit: 5000 },
        })
      ).items.map((m) => m.address);
    const auditOf = async (action: string) =>
      (await site.api.listAudit({ action, limit: 100 })).filter((e) => e.action === action);
    const bulk = (args: CallArgs<typeof ops.discovery.bulkAction>) =>
      site.api.call(ops.discovery.bulkAction, args);

    beforeAll(async () => {
      site = await createTestSite({ dialect, withEnrolledDevices: 0 });
      env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
        NO_COLOR: '1',
      };
      await site.api.call(ops.discovery.updateSettings, { body: { nameLookup: 'off' } });
      const sweep = await site.api.call(ops.discovery.startSweep, {
        body: { subnets: ['127.0.0.96/27'], ports: [], icmp: true },
      });
      await waitFor('the sweep to finish', async () => {
        const s = await site.api.call(ops.discovery.getSweep, { params: { id: sweep.id } });
        return s.state !== 'running' && s;
      });
      all = await machines();
    }, 180_000);
    afterAll(async () => {
      await site?.stop();
      if (env?.STEWARD_CONFIG_DIR) rmSync(env.STEWARD_CONFIG_DIR, { recursive: true, force: true });
    });

    it('found machines to act on (the sweep is real)', () => {
      expect(all.length).toBeGreaterThanOrEqual(20);
      expect(all.every((a) => a.startsWith('127.0.0.'))).toBe(true);
    });

    it('adds every machine matching a filter to a collection in one request, one audit entry', async () => {
      const c = await site.api.call(ops.collections.create, { body: { name: 'Found', rules: [] } });
      found = c.id;
      const matching = await machines('127.0.0.11');
      expect(matching.length).toBeGreaterThan(1);
      const r = await bulk({
        body: {
          selection: { filter: { search: '127.0.0.11' } },
          action: 'collection:add',
          collection: 'Found',
          expectedCount: matching.length,
        },
      });
      expect(r).toMatchObject({ matched: matching.length, done: matching.length, failed: 0 });
      const members = await site.api.call(ops.discovery.listCollectionMembers, {
        params: { id: c.id },
      });
      expect(members.map((m) => m.address).sort()).toEqual([...matching].sort());
      // Again, with one more by address: those already members are unchanged.
      const extra = all.find((a) => !matching.includes(a)) ?? '';
      const again = await bulk({
        body: {
          selection: { ids: [...matching, extra] },
          action: 'collection:add',
          collection: c.id,
        },
      });
      expect(again).toMatchObject({ done: 1, unchanged: matching.length, failed: 0 });
      const entries = await auditOf('discovered.bulk.collection:add');
      expect(entries).toHaveLength(2);
      const first = entries.find((e) => JSON.stringify(e.details).includes('"filter"'));
      expect(first).toMatchObject({ targetType: 'collection', targetId: c.id });
      expect(first?.details).toMatchObject({
        count: matching.length,
        done: matching.length,
        selection: { filter: { search: '127.0.0.11' } },
      });
    });

    it('refuses a changed count, a missing collection or account, and writes nothing', async () => {
      const before = (await site.api.listAudit({ limit: 1000 })).length;
      expect(
        await codeOf(
          bulk({
            body: {
              selection: { filter: {} },
              action: 'forget',
              expectedCount: all.length + 10,
            },
          }),
        ),
      ).toBe('BULK_COUNT_CHANGED');
      expect(
        await codeOf(bulk({ body: { selection: { filter: {} }, action: 'collection:add' } })),
      ).toBe('BULK_COLLECTION_REQUIRED');
      expect(await codeOf(bulk({ body: { selection: { filter: {} }, action: 'push' } }))).toBe(
        'BULK_ACCOUNT_REQUIRED',
      );
      expect(
        await codeOf(
          bulk({
            body: { selection: { filter: {} }, action: 'push', account: 'no such account' },
          }),
        ),
      ).toBe('PUSH_ACCOUNT_NOT_FOUND');
      expect(await machines()).toEqual(all);
      expect((await site.api.listAudit({ limit: 1000 })).length).toBe(before);
    });

    it('pushes the agent to the selection as one push job whose audit entry is the bulk action', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'steward-push-key-'));
      try {
        const key = makeKeyPair(dir, 'bulk');
        await site.api.call(ops.clientPush.createAccount, {
          body: {
            name: 'bulk root',
            user: 'root',
            privateKey: key.privateKey,
            serviceMode: 'none',
          },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const chosen = all.slice(0, 3);
      const r: BulkDiscoveredResult = await bulk({
        body: {
          selection: { ids: chosen },
          action: 'push',
          account: 'bulk root',
          expectedCount: 3,
        },
      });
      expect(r).toMatchObject({ matched: 3, done: 3, failed: 0 });
      expect(r.pushJobId).toBeDefined();
      const job = await site.api.call(ops.clientPush.getJob, {
        params: { id: r.pushJobId ?? '' },
      });
      expect(job.source).toBe('discovered');
      expect(job.targets.map((t) => t.host).sort()).toEqual([...chosen].sort());
      const entries = await auditOf('discovered.bulk.push');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ targetType: 'push-job', targetId: r.pushJobId });
      expect(entries[0]?.details).toMatchObject({ count: 3, done: 3, account: 'bulk root' });
      expect(await auditOf('push-job.start')).toHaveLength(0);
    });

    it('forgets by address (an unknown address fails as not-found) and by filter from the CLI', async () => {
      const gone = all.slice(-2);
      const r = await bulk({
        body: { selection: { ids: [...gone, '127.0.0.1'] }, action: 'forget' },
      });
      expect(r).toMatchObject({ matched: 3, done: 2, failed: 1 });
      expect(r.failures).toEqual([{ reason: 'not-found', count: 1, examples: ['127.0.0.1'] }]);
      const left = await machines();
      expect(left).toEqual(all.filter((a) => !gone.includes(a)));

      const dry = await exec(STEWARD, ['discovery', 'bulk', 'forget', '--search', '127.0.0.11'], {
        env,
      });
      expect(dry.code).not.toBe(0);
      expect(dry.stderr).toMatch(/would act on \d+ machines; add --yes/);
      const matching = await machines('127.0.0.11');
      const cli = await exec(
        STEWARD,
        ['discovery', 'bulk', 'forget', '--search', '127.0.0.11', '--yes', '--json'],
        { env },
      );
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      const parsed: unknown = JSON.parse(cli.stdout);
      expect(parsed).toMatchObject({
        action: 'forget',
        matched: matching.length,
        done: matching.length,
      });
      expect(await machines('127.0.0.11')).toEqual([]);
      // Forgotten machines leave the collections that included them.
      const members = await site.api.call(ops.discovery.listCollectionMembers, {
        params: { id: found },
      });
      expect(members.length).toBeGreaterThan(0);
      expect(members.filter((m) => m.address.startsWith('127.0.0.11'))).toEqual([]);
      expect(await auditOf('discovered.bulk.forget')).toHaveLength(2);
    });
  });
});
