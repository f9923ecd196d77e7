/**
 * Bulk selection and actions (issue 12, ADR 0031) against a real site on SQLite and
 * PostgreSQL: a filter resolved on the site in one request, explicit ids, the permission of each
 * action's single-device counterpart, one audit entry per action with the count and the filter,
 * a failing subset reported per reason with example names, and refused input leaving nothing
 * half-written. The CLI's `steward device bulk` prints the same summary with --json.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, type BulkActionResult } from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { enrolVirtualDevices } from '../../../test-support/virtual-devices.js';

const pgUp = await pgReachable();
const dialects: TestDialect[] = ['sqlite', 'postgres'];

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof ApiError ? err.code : String(err)),
  );

describe.each(dialects)('bulk device actions on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let site: Site;
    let env: NodeJS.ProcessEnv;
    let racks: { id: string; name: string }[];
    let others: { id: string; name: string }[];

    beforeAll(async () => {
      site = await createTestSite({ dialect, withEnrolledDevices: 0 });
      env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
        NO_COLOR: '1',
      };
      const names = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
      racks = await enrolVirtualDevices(site, names('rack', 240));
      others = await enrolVirtualDevices(site, names('desk', 30));
    }, 180_000);
    afterAll(async () => {
      await site?.stop();
    });

    const auditOf = async (action: string) =>
      (await site.api.listAudit({ action, limit: 100 })).filter((e) => e.action === action);

    it('adds every device matching a filter to a collection in one request, with one audit entry', async () => {
      const c = await site.api.createCollection({ name: 'Racks', rules: [] });
      const r = await site.api.bulkDeviceAction({
        selection: { filter: { search: 'rack-' } },
        action: 'collection:add',
        collection: 'Racks',
        expectedCount: racks.length,
      });
      expect(r).toMatchObject({ matched: 240, done: 240, unchanged: 0, failed: 0, failures: [] });
      const members = await site.api.collectionMembers(c.id, { limit: 1000 });
      expect(members.total).toBe(240);
      expect(new Set(members.items.map((d) => d.id))).toEqual(new Set(racks.map((d) => d.id)));
      // One new revision with a direct rule per device.
      const after = await site.api.getCollection(c.id);
      expect(after.revision).toBe(2);
      expect(after.rules.filter((rule) => rule.kind === 'direct')).toHaveLength(240);
      const entries = await auditOf('device.bulk.collection:add');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ targetType: 'collection', targetId: c.id });
      expect(entries[0]?.details).toMatchObject({
        count: 240,
        done: 240,
        selection: { filter: { search: 'rack-' } },
      });
      // Again: every one is a direct member already.
      const again = await site.api.bulkDeviceAction({
        selection: { filter: { search: 'rack-' } },
        action: 'collection:add',
        collection: c.id,
      });
      expect(again).toMatchObject({ matched: 240, done: 0, unchanged: 240, failed: 0 });
    });

    it('acts on explicit ids and reports ids naming no device and non-members with reasons', async () => {
      const two = racks.slice(0, 2).map((d) => d.id);
      const desk = others[0];
      if (!desk) throw new Error('no desk device');
      const missing = '00000000-0000-4000-8000-000000000000';
      const r = await site.api.bulkDeviceAction({
        selection: { ids: [...two, desk.id, missing] },
        action: 'collection:remove',
        collection: 'Racks',
      });
      expect(r).toMatchObject({ matched: 4, done: 2, failed: 2 });
      expect(r.failures).toEqual(
        expect.arrayContaining([
          { reason: 'not-direct-member', count: 1, examples: [desk.name] },
          { reason: 'not-found', count: 1, examples: [missing] },
        ]),
      );
      expect((await site.api.collectionMembers('Racks', { limit: 1 })).total).toBe(238);
      const [entry] = await auditOf('device.bulk.collection:remove');
      expect(entry?.details).toMatchObject({ count: 4, selection: { ids: 4 }, done: 2, failed: 2 });
    });

    it('reports a failing subset per reason with example names: revoked devices take no nudge', async () => {
      const revoked = racks.slice(10, 13);
      const rv = await site.api.bulkDeviceAction({
        selection: { ids: revoked.map((d) => d.id) },
        action: 'revoke',
      });
      expect(rv).toMatchObject({ matched: 3, done: 3, failed: 0 });
      const r = await site.api.bulkDeviceAction({
        selection: { filter: { search: 'rack-' } },
        action: 'policy:fetch',
      });
      expect(r).toMatchObject({ matched: 240, done: 237, failed: 3, connected: 0 });
      expect(r.failures).toEqual([
        { reason: 'device-revoked', count: 3, examples: revoked.map((d) => d.name) },
      ]);
      const first = racks[0];
      if (!first) throw new Error('no device');
      const actions = await site.api.deviceActions(first.id);
      expect(actions.map((a) => a.action)).toContain('policy:fetch');
      const entries = await auditOf('device.bulk.policy:fetch');
      expect(entries).toHaveLength(1);
      expect(entries[0]?.details).toMatchObject({ count: 240, done: 237, failed: 3 });
      // Revoking again changes nothing and says so.
      const again = await site.api.bulkDeviceAction({
        selection: { filter: { status: 'revoked' } },
        action: 'revoke',
      });
      expect(again).toMatchObject({ matched: 3, done: 0, unchanged: 3 });
    });

    it('needs the permission of the single-device action', async () => {
      await site.api.createUser({
        name: 'analyst',
        password: 'analyst-pass-1',
        role: 'read-only-analyst',
      });
      const analyst = new ApiClient({ baseUrl: site.adminUrl });
      analyst.setToken((await analyst.login('analyst', 'analyst-pass-1')).token);
      for (const action of ['collection:add', 'policy:fetch', 'revoke'] as const)
        expect(
          await codeOf(
            analyst.bulkDeviceAction({
              selection: { filter: {} },
              action,
              collection: 'Racks',
            }),
          ),
        ).toBe('FORBIDDEN');
      expect(await auditOf('device.bulk.revoke')).toHaveLength(2);
    });

    it('refuses bad input with a stable code and writes nothing', async () => {
      const before = await site.api.getCollection('Racks');
      const auditBefore = (await site.api.listAudit({ action: 'device.bulk.', limit: 1000 }))
        .length;
      // The filter now matches far more than the count confirmed.
      expect(
        await codeOf(
          site.api.bulkDeviceAction({
            selection: { filter: { search: 'desk-' } },
            action: 'collection:add',
            collection: 'Racks',
            expectedCount: 3,
          }),
        ),
      ).toBe('BULK_COUNT_CHANGED');
      expect(
        await codeOf(
          site.api.bulkDeviceAction({ selection: { filter: {} }, action: 'collection:add' }),
        ),
      ).toBe('BULK_COLLECTION_REQUIRED');
      expect(
        await codeOf(
          site.api.bulkDeviceAction({
            selection: { filter: {} },
            action: 'collection:add',
            collection: 'All Systems',
          }),
        ),
      ).toBe('COLLECTION_BUILTIN');
      expect(
        await codeOf(
          site.api.bulkDeviceAction({
            selection: { filter: { search: 'desk-' } },
            action: 'collection:add',
            collection: 'no-such-collection',
          }),
        ),
      ).toBe('NOT_FOUND');
      expect(
        await codeOf(site.api.bulkDeviceAction({ selection: { ids: [] }, action: 'revoke' })),
      ).toBe('INVALID_INPUT');
      const after = await site.api.getCollection('Racks');
      expect(after.revision).toBe(before.revision);
      expect(after.memberCount).toBe(before.memberCount);
      expect((await site.api.listAudit({ action: 'device.bulk.', limit: 1000 })).length).toBe(
        auditBefore,
      );
    });

    it('steward device bulk: a filter from flags, --yes required, --json prints the summary', async () => {
      const refused = await exec(
        STEWARD,
        ['device', 'bulk', 'add-to-collection', '--search', 'desk-', '--to-collection', 'Desks'],
        { env },
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('would act on 30 devices');
      await site.api.createCollection({ name: 'Desks', rules: [] });
      const r = await exec(
        STEWARD,
        [
          'device',
          'bulk',
          'add-to-collection',
          '--search',
          'desk-',
          '--to-collection',
          'Desks',
          '--yes',
          '--json',
        ],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as BulkActionResult;
      expect(summary).toMatchObject({ action: 'collection:add', matched: 30, done: 30, failed: 0 });
      expect((await site.api.collectionMembers('Desks', { limit: 1 })).total).toBe(30);
      const text = await exec(
        STEWARD,
        [
          'device',
          'bulk',
          'remove-from-collection',
          '--ids',
          `${others[0]?.id ?? ''},${racks[0]?.id ?? ''}`,
          '--from-collection',
          'Desks',
          '--yes',
        ],
        { env },
      );
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('2 devices selected; 1 done, 1 failed');
      expect(text.stdout).toContain(`1 not a direct member: ${racks[0]?.name ?? ''}`);
    });
  });
});
