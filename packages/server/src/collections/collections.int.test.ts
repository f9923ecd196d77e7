import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectionDefinition } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { BUILTIN_COLLECTIONS, ensureBuiltinCollections } from './builtin.js';
import { CollectionService } from './service.js';
import {
  ADMIN,
  ANALYST,
  countRows,
  insertDevices,
  type DeviceFixture,
} from '../../test/support/collections.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of collections.int.test.ts are SKIPPED',
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
  },
  {
    id: 'd2',
    name: 'web-2',
    classes: {
      os: [{ family: 'debian' }],
      machine: [{ type: 'virtual-machine' }],
      memory: [{ totalMb: 2048 }],
    },
  },
  {
    id: 'd3',
    name: 'laptop-1',
    classes: { os: [{ family: 'rhel' }], machine: [{ type: 'laptop' }] },
  },
  {
    id: 'd4',
    name: 'desk-1',
    classes: { os: [{ family: 'suse' }], machine: [{ type: 'desktop' }] },
  },
  {
    id: 'd5',
    name: 'gone',
    revoked: true,
    classes: { os: [{ family: 'debian' }], machine: [{ type: 'server' }] },
  },
];

const tables = [
  'collection',
  'collection_revision',
  'collection_member',
  'collection_membership_change',
  'audit_log',
] as const;

describe.each(testDialects)('collection definitions on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let service: CollectionService;

    beforeEach(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      await insertDevices(ctx.db.kysely, fleet);
      await ensureBuiltinCollections(ctx);
      service = new CollectionService(ctx);
    });
    afterEach(async () => cleanup?.());

    const snapshot = async () => Promise.all(tables.map((t) => countRows(ctx.db.kysely, t)));
    const memberIds = async (id: string) =>
      (await service.members(ADMIN, id, { limit: 1000 })).items.map((d) => d.id).sort();
    const create = (def: Partial<CollectionDefinition> & { name: string }) =>
      service.create(ADMIN, { rules: [], ...def });

    it('creates the built-in collections once, with stable ids, and evaluates them when due', async () => {
      await ensureBuiltinCollections(ctx);
      const all = await service.list(ADMIN);
      expect(all.map((c) => c.id).sort()).toEqual(BUILTIN_COLLECTIONS.map((b) => b.id).sort());
      expect(all.every((c) => c.builtin && c.revision === 1)).toBe(true);
      expect(await countRows(ctx.db.kysely, 'collection_revision')).toBe(
        BUILTIN_COLLECTIONS.length,
      );
      await service.evaluateDue();
      expect(await memberIds('all-systems')).toEqual(['d1', 'd2', 'd3', 'd4']);
      expect(await memberIds('All Linux Systems')).toEqual(['d1', 'd2', 'd3', 'd4']);
      expect(await memberIds('all-servers')).toEqual(['d1']);
      expect(await memberIds('all-workstations')).toEqual(['d3', 'd4']);
      expect(await memberIds('all-laptops')).toEqual(['d3']);
      expect(await memberIds('all-virtual-machines')).toEqual(['d2']);
      expect(await memberIds('os-debian')).toEqual(['d1', 'd2']);
      expect(await memberIds('os-rhel')).toEqual(['d3']);
      expect(await memberIds('os-suse')).toEqual(['d4']);
      expect(await memberIds('os-alpine')).toEqual([]);
      expect((await service.get(ADMIN, 'all-systems')).memberCount).toBe(4);
    });

    it('brings a built-in whose definition changed in a newer version up to date, as a new revision', async () => {
      await ctx.db.kysely
        .updateTable('collection')
        .set({ rules: JSON.stringify([{ kind: 'query', query: 'machine.type = "old"' }]) })
        .where('id', '=', 'all-servers')
        .execute();
      await ensureBuiltinCollections(ctx);
      const servers = await service.get(ADMIN, 'all-servers');
      expect(servers).toMatchObject({
        revision: 2,
        rules: [{ kind: 'query', query: 'machine.type = "server"' }],
      });
      expect(
        (await service.revisions(ADMIN, 'all-servers')).map((r) => [r.revision, r.by]),
      ).toEqual([
        [2, 'system'],
        [1, 'system'],
      ]);
      await ensureBuiltinCollections(ctx);
      expect((await service.get(ADMIN, 'all-servers')).revision).toBe(2);
    });

    it('refuses to change or delete a built-in, but lets it limit, include and exclude', async () => {
      await service.evaluateDue();
      await expect(
        service.update(ADMIN, 'all-servers', { name: 'Mine', rules: [] }),
      ).rejects.toMatchObject({ code: 'COLLECTION_BUILTIN', status: 409 });
      await expect(service.remove(ADMIN, 'All Servers')).rejects.toMatchObject({
        code: 'COLLECTION_BUILTIN',
      });
      await expect(service.restoreRevision(ADMIN, 'all-servers', 1)).rejects.toMatchObject({
        code: 'COLLECTION_BUILTIN',
      });
      const c = await create({
        name: 'Debian but not VMs',
        limitingCollectionId: 'os-debian',
        rules: [
          { kind: 'include', collectionId: 'all-systems' },
          { kind: 'exclude', collectionId: 'all-virtual-machines' },
        ],
      });
      expect(await memberIds(c.id)).toEqual(['d1']);
    });

    it('creates a collection from a query and shows its members at once', async () => {
      const c = await create({
        name: 'Big Debian',
        rules: [{ kind: 'query', query: 'os.family = "debian" and memory.totalMb >= 3072' }],
      });
      expect(c).toMatchObject({
        name: 'Big Debian',
        builtin: false,
        revision: 1,
        memberCount: 1,
        evaluationIntervalMinutes: 60,
      });
      expect(c.lastEvaluatedAt).not.toBeNull();
      expect(await memberIds(c.id)).toEqual(['d1']);
      expect(await service.get(ADMIN, 'Big Debian')).toMatchObject({ id: c.id });
      const revisions = await service.revisions(ADMIN, c.id);
      expect(revisions).toEqual([
        expect.objectContaining({
          revision: 1,
          by: 'alice',
          definition: expect.objectContaining({ name: 'Big Debian' }),
        }),
      ]);
      const audit = await ctx.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('target_id', '=', c.id)
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['collection.create']);
    });

    it('refuses a taken name (case-insensitively), writing nothing', async () => {
      const before = await snapshot();
      await expect(create({ name: 'all systems' })).rejects.toMatchObject({
        code: 'COLLECTION_NAME_TAKEN',
        status: 409,
      });
      expect(await snapshot()).toEqual(before);
    });

    it('writes nothing when the second rule is bad, and says which rule and where', async () => {
      const before = await snapshot();
      const err: unknown = await create({
        name: 'Half',
        rules: [
          { kind: 'query', query: 'os.family = "debian"' },
          { kind: 'query', query: 'memory.totlMb > 1' },
        ],
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'QUERY_TYPE',
        status: 400,
        details: { ruleIndex: 1, position: 7, length: 6, line: 1, column: 8 },
      });
      expect(err).toMatchObject({ message: expect.stringContaining('did you mean "totalMb"') });
      await expect(
        create({ name: 'Half', rules: [{ kind: 'query', query: 'os.family = ' }] }),
      ).rejects.toMatchObject({ code: 'QUERY_SYNTAX', details: { ruleIndex: 0 } });
      await expect(
        create({ name: 'Half', rules: [{ kind: 'direct', deviceId: 'nope' }] }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404, details: { ruleIndex: 0 } });
      await expect(
        create({ name: 'Half', rules: [{ kind: 'include', collectionId: 'nope' }] }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(create({ name: 'Half', limitingCollectionId: 'nope' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        details: { ruleIndex: null },
      });
      expect(await snapshot()).toEqual(before);
    });

    it('treats SQL in a query string as text and harms nothing', async () => {
      const before = await countRows(ctx.db.kysely, 'device');
      const c = await create({
        name: 'Injection',
        rules: [
          {
            kind: 'query',
            query: `os.family = "debian'); drop table collection; --" or device.name = "x' or '1'='1"`,
          },
        ],
      });
      expect(c.memberCount).toBe(0);
      await expect(
        create({
          name: 'Injection 2',
          rules: [{ kind: 'query', query: 'os.family = "x"; drop table device; --' }],
        }),
      ).rejects.toMatchObject({ code: 'QUERY_SYNTAX' });
      expect(await countRows(ctx.db.kysely, 'device')).toBe(before);
      expect((await service.list(ADMIN)).length).toBe(BUILTIN_COLLECTIONS.length + 1);
    });

    it('refuses dependency cycles through include, exclude and limiting', async () => {
      const a = await create({
        name: 'A',
        rules: [{ kind: 'query', query: 'os.family = "debian"' }],
      });
      const b = await create({ name: 'B', rules: [{ kind: 'include', collectionId: a.id }] });
      const c = await create({
        name: 'C',
        limitingCollectionId: b.id,
        rules: [{ kind: 'include', collectionId: 'all-systems' }],
      });
      const before = await snapshot();
      await expect(
        service.update(ADMIN, a.id, {
          name: 'A',
          rules: [{ kind: 'exclude', collectionId: c.id }],
        }),
      ).rejects.toMatchObject({
        code: 'COLLECTION_CYCLE',
        message: expect.stringContaining('"A" -> "C" -> "B" -> "A"'),
      });
      await expect(
        service.update(ADMIN, a.id, { name: 'A', limitingCollectionId: a.id, rules: [] }),
      ).rejects.toMatchObject({ code: 'COLLECTION_CYCLE' });
      expect(await snapshot()).toEqual(before);
    });

    it('refuses to delete a collection another one names, then deletes with an audit row', async () => {
      const a = await create({
        name: 'A',
        rules: [{ kind: 'query', query: 'os.family = "debian"' }],
      });
      const b = await create({
        name: 'B',
        limitingCollectionId: a.id,
        rules: [{ kind: 'include', collectionId: 'all-systems' }],
      });
      await expect(service.remove(ADMIN, a.id)).rejects.toMatchObject({
        code: 'COLLECTION_IN_USE',
        details: { collections: [{ id: b.id, name: 'B' }] },
      });
      await service.remove(ADMIN, 'B');
      await service.remove(ADMIN, a.id);
      await expect(service.get(ADMIN, a.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        status: 404,
      });
      const actions = await ctx.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', a.id)
        .orderBy('id')
        .execute();
      expect(actions.map((r) => r.action)).toEqual(['collection.create', 'collection.delete']);
      expect(await countRows(ctx.db.kysely, 'collection')).toBe(BUILTIN_COLLECTIONS.length);
    });

    it('keeps every revision of a phased rollout and walks it back by restoring', async () => {
      const phase = (query: string) => ({
        name: 'Rollout',
        rules: [{ kind: 'query' as const, query }],
      });
      const c = await service.create(ADMIN, phase('device.name = "web-1"'));
      await service.update(ADMIN, c.id, phase('device.name like "web-%"'));
      const wider = await service.update(ADMIN, c.id, phase('device.name like "%"'));
      expect(wider).toMatchObject({ revision: 3, memberCount: 4 });
      const same = await service.update(ADMIN, c.id, phase('device.name like "%"'));
      expect(same.revision).toBe(3);
      const restored = await service.restoreRevision(ADMIN, c.id, 1);
      expect(restored).toMatchObject({
        revision: 4,
        memberCount: 1,
        rules: [{ kind: 'query', query: 'device.name = "web-1"' }],
      });
      const revisions = await service.revisions(ADMIN, c.id);
      expect(revisions.map((r) => [r.revision, r.definition.rules[0]])).toEqual([
        [4, { kind: 'query', query: 'device.name = "web-1"' }],
        [3, { kind: 'query', query: 'device.name like "%"' }],
        [2, { kind: 'query', query: 'device.name like "web-%"' }],
        [1, { kind: 'query', query: 'device.name = "web-1"' }],
      ]);
      const history = await service.membershipHistory(ADMIN, c.id, {});
      const summary = history.map((h) => `${h.revision}:${h.change}:${h.deviceName}`).sort();
      expect(summary).toEqual(
        [
          '1:added:web-1',
          '2:added:web-2',
          '3:added:desk-1',
          '3:added:laptop-1',
          '4:removed:desk-1',
          '4:removed:laptop-1',
          '4:removed:web-2',
        ].sort(),
      );
      const page = await service.membershipHistory(ADMIN, c.id, { limit: 2 });
      expect(page).toHaveLength(2);
      const older = await service.membershipHistory(ADMIN, c.id, {
        limit: 100,
        before: page[1]?.id,
      });
      expect(older).toHaveLength(history.length - 2);
      await expect(service.restoreRevision(ADMIN, c.id, 9)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const actions = await ctx.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', c.id)
        .orderBy('id')
        .execute();
      expect(actions.map((r) => r.action)).toEqual([
        'collection.create',
        'collection.update',
        'collection.update',
        'collection.restore',
      ]);
    });

    it('lets a read-only analyst read but not change', async () => {
      await expect(service.list(ANALYST)).resolves.toHaveLength(BUILTIN_COLLECTIONS.length);
      await expect(service.create(ANALYST, { name: 'X', rules: [] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
      });
      await expect(service.evaluate(ANALYST, 'all-systems')).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(service.validateQuery(ANALYST, 'os.family = "debian"')).resolves.toEqual({
        ok: true,
      });
    });

    it('validates queries for the editor and lists completions', async () => {
      await expect(service.validateQuery(ADMIN, 'disk.freeMb < 10')).rejects.toMatchObject({
        code: 'QUERY_TYPE',
        details: {
          position: 0,
          length: 11,
          line: 1,
          column: 1,
          message: expect.stringContaining('any(disk, freeMb < 10)'),
        },
      });
      expect((await service.completions(ADMIN)).map((c) => c.label)).toContain('device');
      expect((await service.completions(ADMIN, 'memory')).map((c) => c.label)).toEqual([
        'totalMb',
        'availableMb',
        'swapTotalMb',
      ]);
    });
  });
});
