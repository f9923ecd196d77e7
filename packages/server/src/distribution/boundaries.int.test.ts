import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { ADMIN, ANALYST } from '../../test/support/collections.js';
import { BoundaryService } from './boundary-service.js';
import { DistributionPointService } from './dp-service.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of boundaries.int.test.ts are SKIPPED',
  );

describe.each(testDialects)('boundaries and boundary groups on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let service: BoundaryService;

    beforeEach(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      service = new BoundaryService(ctx);
    });
    afterEach(async () => cleanup?.());

    const count = async (table: 'boundary' | 'boundary_group' | 'audit_log') =>
      Number(
        (
          await ctx.db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );

    it('normalises subnets and ranges and stores their key range', async () => {
      const b = await service.createBoundary(ADMIN, {
        name: 'branch',
        type: 'subnet',
        value: '10.1.2.3/16',
      });
      expect(b.value).toBe('10.1.0.0/16');
      const row = await ctx.db.kysely
        .selectFrom('boundary')
        .selectAll()
        .where('id', '=', b.id)
        .executeTakeFirstOrThrow();
      expect([row.start_key, row.end_key]).toEqual([
        '00000000000000000000ffff0a010000',
        '00000000000000000000ffff0a01ffff',
      ]);
      const r = await service.createBoundary(ADMIN, {
        name: 'lab',
        type: 'range',
        value: '2001:DB8::10 - 2001:db8::20',
      });
      expect(r.value).toBe('2001:db8::10-2001:db8::20');
      const changed = await service.updateBoundary(ADMIN, 'lab', {
        type: 'subnet',
        value: '2001:db8::/32',
      });
      expect(changed.value).toBe('2001:db8::/32');
    });

    it.each([
      ['subnet', '10.1.0.0/40'],
      ['subnet', 'fe80::/200'],
      ['subnet', '10.1.0.0'],
      ['range', '10.1.0.9-10.1.0.1'],
      ['range', '10.0.0.1-::1'],
    ] as const)('refuses %s %s with INVALID_BOUNDARY and writes nothing', async (type, value) => {
      await expect(
        service.createBoundary(ADMIN, { name: 'bad', type, value }),
      ).rejects.toMatchObject({ code: 'INVALID_BOUNDARY', status: 400 });
      expect(await count('boundary')).toBe(0);
      expect(await count('audit_log')).toBe(0);
    });

    it('refuses unknown groups, taken names and readers, with nothing half-created', async () => {
      await expect(
        service.createBoundary(ADMIN, {
          name: 'b',
          type: 'subnet',
          value: '10.0.0.0/8',
          boundaryGroupIds: ['nope'],
        }),
      ).rejects.toMatchObject({ code: 'BOUNDARY_GROUP_NOT_FOUND' });
      expect(await count('boundary')).toBe(0);
      await service.createBoundary(ADMIN, { name: 'b', type: 'subnet', value: '10.0.0.0/8' });
      await expect(
        service.createBoundary(ADMIN, { name: 'b', type: 'subnet', value: '11.0.0.0/8' }),
      ).rejects.toMatchObject({ code: 'BOUNDARY_NAME_TAKEN', status: 409 });
      await expect(
        service.createBoundary(ANALYST, { name: 'c', type: 'subnet', value: '12.0.0.0/8' }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await count('boundary')).toBe(1);
    });

    it('groups boundaries and DPs, defaults the site, refuses bad neighbours', async () => {
      const dps = new DistributionPointService(ctx, () => ({
        agentUrl: 'https://site.example:8443',
        caFingerprint: 'a'.repeat(64),
      }));
      const dp = (await dps.create(ADMIN, { name: 'dp-a' })).distributionPoint;
      const other = await service.createGroup(ADMIN, { name: 'hq' });
      const g = await service.createGroup(ADMIN, {
        name: 'branch',
        dpIds: ['dp-a'],
        neighbours: [{ boundaryGroupId: 'hq', fallbackAfterMinutes: 30 }],
        slow: true,
      });
      expect(g).toMatchObject({
        siteCode: 'T01',
        dpIds: [dp.id],
        neighbours: [{ boundaryGroupId: other.id, fallbackAfterMinutes: 30 }],
        slow: true,
      });
      const b = await service.createBoundary(ADMIN, {
        name: 'net',
        type: 'subnet',
        value: '10.9.0.0/16',
        boundaryGroupIds: ['branch'],
      });
      expect(b.boundaryGroupIds).toEqual([g.id]);
      expect((await service.getGroup(ADMIN, 'branch')).boundaryIds).toEqual([b.id]);
      expect((await dps.get(ADMIN, 'dp-a')).boundaryGroupIds).toEqual([g.id]);

      await expect(
        service.updateGroup(ADMIN, 'branch', {
          neighbours: [{ boundaryGroupId: 'branch', fallbackAfterMinutes: 10 }],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_NEIGHBOUR' });
      await expect(
        service.updateGroup(ADMIN, 'branch', {
          neighbours: [
            { boundaryGroupId: 'hq', fallbackAfterMinutes: 10 },
            { boundaryGroupId: other.id, fallbackAfterMinutes: 20 },
          ],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_NEIGHBOUR' });
      await expect(
        service.createGroup(ADMIN, { name: 'x', dpIds: ['no-such-dp'] }),
      ).rejects.toMatchObject({ code: 'DP_NOT_FOUND' });
      await expect(service.createGroup(ADMIN, { name: 'hq' })).rejects.toMatchObject({
        code: 'BOUNDARY_GROUP_NAME_TAKEN',
      });
      expect(await count('boundary_group')).toBe(2);
      // Unchanged by the refused updates.
      expect((await service.getGroup(ADMIN, g.id)).neighbours).toHaveLength(1);

      await service.deleteGroup(ADMIN, 'hq');
      expect((await service.getGroup(ADMIN, 'branch')).neighbours).toEqual([]);
      await service.deleteBoundary(ADMIN, 'net');
      expect((await service.getGroup(ADMIN, 'branch')).boundaryIds).toEqual([]);
    });
  });
});
