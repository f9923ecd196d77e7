import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectionDefinition } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { parseJsonColumn } from '../db/database.js';
import { ensureBuiltinCollections } from './builtin.js';
import { CollectionService } from './service.js';
import {
  ADMIN,
  ManualClock,
  countRows,
  insertDevice,
  insertDevices,
  setInventory,
  setPackages,
  type DeviceFixture,
} from '../../test/support/collections.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of evaluation.int.test.ts are SKIPPED',
  );

const fleet: DeviceFixture[] = [
  {
    id: 'd1',
    name: 'web-1',
    classes: {
      os: [{ family: 'debian' }],
      machine: [{ type: 'server' }],
      memory: [{ totalMb: 4096 }],
    },
    packages: [{ name: 'nginx', version: '1.22.1-9' }],
  },
  {
    id: 'd2',
    name: 'web-2',
    classes: {
      os: [{ family: 'debian' }],
      machine: [{ type: 'server' }],
      memory: [{ totalMb: 2048 }],
    },
    packages: [{ name: 'nginx', version: '1.18.0-6' }],
  },
  {
    id: 'd3',
    name: 'db-1',
    classes: {
      os: [{ family: 'rhel' }],
      machine: [{ type: 'server' }],
      memory: [{ totalMb: 32768 }],
    },
  },
  {
    id: 'd4',
    name: 'laptop-1',
    classes: {
      os: [{ family: 'debian' }],
      machine: [{ type: 'laptop' }],
      memory: [{ totalMb: 8192 }],
    },
  },
];

const ASSET_CLASS = {
  name: 'assetTag',
  description: 'asset tags',
  multiInstance: false,
  source: { kind: 'file', path: '/etc/asset', format: 'keyvalue' },
  properties: [{ name: 'rack', type: 'string', from: 'RACK' }],
};

describe.each(testDialects)('collection membership on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let service: CollectionService;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock();
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      await insertDevices(ctx.db.kysely, fleet);
      await ensureBuiltinCollections(ctx);
      service = new CollectionService(ctx);
      await service.evaluateDue();
    });
    afterEach(async () => {
      service?.stop();
      await cleanup?.();
    });

    const ids = async (id: string) =>
      (await service.members(ADMIN, id, { limit: 1000 })).items.map((d) => d.id).sort();
    const create = (def: Partial<CollectionDefinition> & { name: string }) =>
      service.create(ADMIN, { rules: [], ...def });
    const statusOf = (messageId: number) =>
      ctx.db.kysely
        .selectFrom('status_message')
        .select(['insertion_strings', 'attributes'])
        .where('message_id', '=', messageId)
        .orderBy('id')
        .execute();

    it('unions query, direct and include rules, subtracts excludes, and applies the limit', async () => {
      const big = await create({
        name: 'Big',
        rules: [{ kind: 'query', query: 'memory.totalMb >= 8192' }],
      });
      expect(await ids(big.id)).toEqual(['d3', 'd4']);
      const mixed = await create({
        name: 'Mixed',
        rules: [
          { kind: 'query', query: 'any(package, name = "nginx" and version >= "1.20")' },
          { kind: 'direct', deviceId: 'd2' },
          { kind: 'include', collectionId: big.id },
          { kind: 'exclude', collectionId: 'all-laptops' },
        ],
      });
      expect(await ids(mixed.id)).toEqual(['d1', 'd2', 'd3']);
      const limited = await create({
        name: 'Limited',
        limitingCollectionId: 'os-debian',
        rules: [{ kind: 'include', collectionId: mixed.id }],
      });
      expect(await ids(limited.id)).toEqual(['d1', 'd2']);
      const paged = await service.members(ADMIN, mixed.id, { offset: 1, limit: 1 });
      expect(paged).toMatchObject({ total: 3, items: [{ id: 'd1', name: 'web-1' }] });
    });

    it('re-evaluates dependants when a collection they name changes', async () => {
      const base = await create({ name: 'Base', rules: [{ kind: 'direct', deviceId: 'd1' }] });
      const outer = await create({
        name: 'Outer',
        rules: [{ kind: 'include', collectionId: base.id }],
      });
      expect(await ids(outer.id)).toEqual(['d1']);
      await service.update(ADMIN, base.id, {
        name: 'Base',
        rules: [{ kind: 'direct', deviceId: 'd3' }],
      });
      expect(await ids(outer.id)).toEqual(['d3']);
      expect((await service.get(ADMIN, outer.id)).memberCount).toBe(1);
    });

    it('previews unsaved rules without writing anything', async () => {
      const before = await Promise.all(
        (
          [
            'collection',
            'collection_member',
            'collection_membership_change',
            'status_message',
          ] as const
        ).map((t) => countRows(ctx.db.kysely, t)),
      );
      const preview = await service.preview(ADMIN, {
        limitingCollectionId: 'all-servers',
        rules: [
          { kind: 'query', query: 'os.family = "debian"' },
          { kind: 'direct', deviceId: 'd4' },
        ],
      });
      expect(preview.count).toBe(2);
      expect(preview.sample.map((d) => d.name)).toEqual(['web-1', 'web-2']);
      await expect(
        service.preview(ADMIN, { rules: [{ kind: 'query', query: 'os.famly = "x"' }] }),
      ).rejects.toMatchObject({ code: 'QUERY_TYPE' });
      const after = await Promise.all(
        (
          [
            'collection',
            'collection_member',
            'collection_membership_change',
            'status_message',
          ] as const
        ).map((t) => countRows(ctx.db.kysely, t)),
      );
      expect(after).toEqual(before);
    });

    it('re-evaluates only changed devices when inventory changes, in dependency order', async () => {
      const big = await create({
        name: 'Big',
        rules: [{ kind: 'query', query: 'memory.totalMb >= 8192' }],
      });
      const outer = await create({
        name: 'Outer',
        rules: [{ kind: 'include', collectionId: big.id }],
      });
      service.start();
      await setInventory(ctx.db.kysely, 'd2', 'memory', [{ totalMb: 16384 }]);
      await setInventory(ctx.db.kysely, 'd4', 'memory', [{ totalMb: 1024 }]);
      // d1 also matches now, but nobody said its inventory changed: the incremental pass leaves it.
      await setInventory(ctx.db.kysely, 'd1', 'memory', [{ totalMb: 65536 }]);
      await ctx.bus.publish('inventory-changed', { deviceIds: ['d2', 'd4'] });
      await service.evaluateDirty();
      expect(await ids(big.id)).toEqual(['d2', 'd3']);
      expect(await ids(outer.id)).toEqual(['d2', 'd3']);
      const history = await service.membershipHistory(ADMIN, outer.id, {});
      expect(history.map((h) => `${h.change}:${h.deviceId}:${h.revision}`).sort()).toEqual([
        'added:d2:1',
        'added:d3:1',
        'added:d4:1',
        'removed:d4:1',
      ]);
      expect((await service.get(ADMIN, big.id)).memberCount).toBe(2);
      await service.evaluate(ADMIN, big.id);
      expect(await ids(outer.id)).toEqual(['d1', 'd2', 'd3']);
    });

    it('follows package changes through the shared package sets', async () => {
      const c = await create({
        name: 'New nginx',
        rules: [{ kind: 'query', query: 'any(package, name = "nginx" and version >= "1.22")' }],
      });
      expect(await ids(c.id)).toEqual(['d1']);
      await setPackages(ctx.db.kysely, 'd2', [{ name: 'nginx', version: '1.22.1-9' }]);
      service.markDirty(['d2']);
      await service.evaluateDirty();
      expect(await ids(c.id)).toEqual(['d1', 'd2']);
    });

    it('adds new enrolments and removes revoked devices, with history', async () => {
      service.markDirty(['d9']);
      await insertDevice(ctx.db.kysely, {
        id: 'd9',
        name: 'new-1',
        classes: { os: [{ family: 'debian' }] },
      });
      await service.evaluateDirty();
      expect(await ids('all-systems')).toEqual(['d1', 'd2', 'd3', 'd4', 'd9']);
      expect(await ids('os-debian')).toContain('d9');
      await ctx.db.kysely
        .updateTable('device')
        .set({ revoked_at: clock.now().toISOString() })
        .where('id', '=', 'd9')
        .execute();
      service.markDirty(['d9']);
      await service.evaluateDirty();
      expect(await ids('all-systems')).toEqual(['d1', 'd2', 'd3', 'd4']);
      const history = await service.membershipHistory(ADMIN, 'all-systems', { limit: 2 });
      expect(history.map((h) => `${h.change}:${h.deviceName}`)).toEqual([
        'removed:new-1',
        'added:new-1',
      ]);
      const direct = await create({ name: 'Direct', rules: [{ kind: 'direct', deviceId: 'd9' }] });
      expect(direct.memberCount).toBe(0);
    });

    it('evaluates on schedule only when the interval has passed', async () => {
      const c = await create({
        name: 'Hourly',
        evaluationIntervalMinutes: 60,
        rules: [{ kind: 'query', query: 'memory.totalMb > 10000' }],
      });
      await setInventory(ctx.db.kysely, 'd4', 'memory', [{ totalMb: 20000 }]);
      clock.advanceMinutes(30);
      await service.evaluateDue();
      expect(await ids(c.id)).toEqual(['d3']);
      clock.advanceMinutes(31);
      await service.evaluateDue();
      expect(await ids(c.id)).toEqual(['d3', 'd4']);
      expect((await service.get(ADMIN, c.id)).lastEvaluatedAt).toBe(clock.now().toISOString());
    });

    it('raises 50020 with the counts, and 50021 keeping the members when evaluation fails', async () => {
      await ctx.db.kysely
        .insertInto('inventory_class')
        .values({
          name: 'assetTag',
          definition: JSON.stringify(ASSET_CLASS),
          created_at: 'x',
          updated_at: 'x',
          created_by: 'alice',
        })
        .execute();
      await setInventory(ctx.db.kysely, 'd1', 'assetTag', [{ rack: 'r12' }]);
      const c = await create({
        name: 'Rack r12',
        rules: [{ kind: 'query', query: 'assetTag.rack = "r12"' }],
      });
      expect(c.memberCount).toBe(1);
      const evaluated = await statusOf(50020);
      expect(parseJsonColumn(evaluated.at(-1)?.insertion_strings)).toEqual([
        'Rack r12',
        '1',
        '1',
        '0',
      ]);
      expect(parseJsonColumn(evaluated.at(-1)?.attributes)).toEqual({ collectionId: c.id });
      await ctx.db.kysely.deleteFrom('inventory_class').where('name', '=', 'assetTag').execute();
      await service.evaluate(ADMIN, c.id);
      const failed = await statusOf(50021);
      expect(failed).toHaveLength(1);
      expect(parseJsonColumn(failed[0]?.insertion_strings)).toEqual([
        'Rack r12',
        expect.stringContaining('unknown class "assetTag"'),
      ]);
      expect(await ids(c.id)).toEqual(['d1']);
    });
  });
});
