import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestContext,
  postgresReachable,
  testDialects,
  testSecretBox,
} from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { ADMIN, ManualClock } from '../../test/support/collections.js';
import { loadOrCreateSiteKeys, type SiteKeys } from '../site/site-keys.js';
import { verifyContentAccessToken } from '../content/access-token.js';
import { decodeDpToken } from '@steward/protocol/node';
import { createDistribution, type Distribution } from './wiring.js';
import { ContentStore } from '../content/content-store.js';
import { addVersion } from '../../test/support/distribution.js';
import { dpPollSeconds, OFFLINE_AFTER_POLLS } from './dp-state.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of location.int.test.ts are SKIPPED',
  );

/**
 * The content location algorithm of ADR 0007 over a real database:
 *   group A (10.1.0.0/16): protected DP "branch-a"; neighbour B after 30 minutes
 *   group B (10.2.0.0/16): DP "branch-b"
 *   group C (10.3.0.0/16): DP "hq"
 * plus the site server's own DP; every DP holds the package.
 */
describe.each(testDialects)('content location on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let keys: SiteKeys;
    let d: Distribution;
    let versionId: string;
    /** What 'dev-1' may download (the assignments' part is tested in content-access.int.test.ts). */
    let entitled = new Set<string>();
    const ids: Record<string, string> = {};

    /** A DP that registered and holds the current version (as its status report says). */
    async function liveDp(name: string, isProtected = false): Promise<string> {
      const reg = await d.dps.create(ADMIN, { name, protected: isProtected });
      const token = decodeDpToken(reg.registrationToken);
      if (!token.ok) throw new Error(token.error);
      await d.dpSite.register(
        {
          secret: token.value.secret,
          url: `https://${name}.example:8444`,
          hostnames: [`${name}.example`],
          version: 'test',
        },
        '127.0.0.1',
      );
      return reg.distributionPoint.id;
    }

    async function heartbeat(dpId: string, name: string): Promise<void> {
      await d.dpSite.status(
        { id: dpId, name },
        {
          version: 'test',
          storedBytes: 3,
          items: [{ packageVersionId: versionId, state: 'installed', bytesDone: 3, bytesTotal: 3 }],
        },
      );
    }

    beforeEach(async () => {
      clock = new ManualClock();
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      keys = await loadOrCreateSiteKeys(ctx.db.kysely, testSecretBox(), {});
      d = createDistribution(ctx, {
        keys,
        store: new ContentStore('/nonexistent'),
        agentUrl: () => 'https://site.example:8443',
        entitlement: { versionIdsFor: () => Promise.resolve(entitled) },
      });
      await d.start({ siteServerUrl: 'https://site.example:8443', version: 'test' });
      ({ versionId } = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'run.sh', bytes: 'abc' }],
      }));
      entitled = new Set([versionId]);
      ids.a = await liveDp('branch-a', true);
      ids.b = await liveDp('branch-b');
      ids.hq = await liveDp('hq');
      await d.distribution.distribute(ADMIN, 'tool', { dpIds: [ids.a, ids.b, ids.hq] });
      // The site server is targeted through the admin API like any DP; no files in this store.
      await ctx.db.kysely
        .insertInto('dp_package')
        .values({
          dp_id: 'site-server',
          package_id: (
            await ctx.db.kysely
              .selectFrom('software_package')
              .select('id')
              .executeTakeFirstOrThrow()
          ).id,
          installed_version_id: versionId,
          version_id: versionId,
          state: 'installed',
          bytes_done: 3,
          bytes_total: 3,
          message: null,
          updated_at: clock.now().toISOString(),
          validate_requested_at: null,
          validated_at: null,
        })
        .execute();
      for (const [key, name] of [
        ['a', 'branch-a'],
        ['b', 'branch-b'],
        ['hq', 'hq'],
      ] as const)
        await heartbeat(ids[key] ?? '', name);
      await d.boundaries.createGroup(ADMIN, { name: 'B', dpIds: ['branch-b'] });
      await d.boundaries.createGroup(ADMIN, {
        name: 'A',
        dpIds: ['branch-a'],
        neighbours: [{ boundaryGroupId: 'B', fallbackAfterMinutes: 30 }],
      });
      await d.boundaries.createGroup(ADMIN, { name: 'C', dpIds: ['hq'] });
      for (const [g, net] of [
        ['A', '10.1.0.0/16'],
        ['B', '10.2.0.0/16'],
        ['C', '10.3.0.0/16'],
      ])
        await d.boundaries.createBoundary(ADMIN, {
          name: `net-${g}`,
          type: 'subnet',
          value: net ?? '',
          boundaryGroupIds: [g ?? ''],
        });
    });
    afterEach(async () => {
      d?.stop();
      await cleanup?.();
    });

    const where = async (address: string) => {
      const r = await d.locations.forDevice('dev-1', versionId, address);
      return {
        ...r,
        list: r.locations.map((l) => `${l.tier}:${l.name}:${l.afterMinutes}`),
      };
    };

    it('orders local, neighbour after the link delay, then every other unprotected DP', async () => {
      const r = await where('10.1.7.7');
      expect(r.list).toEqual([
        'local:branch-a:0',
        'neighbour:branch-b:30',
        'fallback:hq:120',
        'fallback:site-server:120',
      ]);
      expect(r.locations[0]?.url).toBe('https://branch-a.example:8444');
      expect(r.slow).toBe(false);
      expect(r.clientAddress).toBe('10.1.7.7');
    });

    it('gives a protected DP only to its own group', async () => {
      expect((await where('10.2.0.9')).list).toEqual([
        'local:branch-b:0',
        'fallback:hq:120',
        'fallback:site-server:120',
      ]);
      expect((await where('10.3.0.1')).list).toEqual([
        'local:hq:0',
        'fallback:branch-b:120',
        'fallback:site-server:120',
      ]);
    });

    it('gives a client in no group every unprotected DP, site server last', async () => {
      const r = await where('192.168.1.1');
      expect(r.boundaryGroupIds).toEqual([]);
      expect(r.list).toEqual(['default:branch-b:0', 'default:hq:0', 'default:site-server:0']);
    });

    it('sends the clients of a protected DP that is down to the nearest unprotected one at once', async () => {
      clock.advanceMinutes((OFFLINE_AFTER_POLLS * dpPollSeconds()) / 60 + 1);
      await heartbeat(ids.b ?? '', 'branch-b');
      await heartbeat(ids.hq ?? '', 'hq');
      expect((await d.dps.get(ADMIN, 'branch-a')).state).toBe('offline');
      expect((await where('10.1.7.7')).list).toEqual([
        'neighbour:branch-b:0',
        'fallback:hq:0',
        'fallback:site-server:0',
      ]);
    });

    it('lists only DPs holding that very version', async () => {
      const next = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'run.sh', bytes: 'v2' }],
      });
      await d.distribution.onContentChanged(next.packageId);
      entitled.add(next.versionId);
      const r = await d.locations.forDevice('dev-1', next.versionId, '10.1.7.7');
      expect(r.locations).toEqual([]);
      await expect(
        d.locations.forDevice('dev-1', 'no-such-version', '10.1.7.7'),
      ).rejects.toMatchObject({
        code: 'PACKAGE_VERSION_NOT_FOUND',
        status: 404,
      });
    });

    it('says slow when a group of the client is slow, maps ::ffff: to IPv4, signs the token', async () => {
      await d.boundaries.updateGroup(ADMIN, 'A', { slow: true });
      const r = await where('::ffff:10.1.0.1');
      expect(r.slow).toBe(true);
      expect(r.clientAddress).toBe('10.1.0.1');
      expect((await where('10.2.0.1')).slow).toBe(false);
      const claims = verifyContentAccessToken(
        createPublicKey(keys.policySigningPublicPem),
        r.accessToken,
        clock.now().getTime(),
      );
      expect(claims).toMatchObject({
        deviceId: 'dev-1',
        siteCode: keys.siteCode,
        site: keys.caFingerprint,
        packageVersionIds: [versionId],
      });
      expect(Date.parse(r.accessTokenExpiresAt) - clock.now().getTime()).toBe(600_000);
    });

    it('refuses a version no deployment targeting the device needs', async () => {
      entitled = new Set();
      await expect(d.locations.forDevice('dev-1', versionId, '10.1.7.7')).rejects.toMatchObject({
        code: 'CONTENT_NOT_ENTITLED',
        status: 403,
      });
    });

    it('answers administrators troubleshooting an address, by package name', async () => {
      const r = await d.locations.resolve(ADMIN, '10.2.3.4', 'tool');
      expect(r.locations.map((l) => l.name)).toEqual(['branch-b', 'hq', 'site-server']);
      expect(r.accessToken).toBe('');
      await expect(d.locations.resolve(ADMIN, 'nonsense')).rejects.toMatchObject({
        code: 'INVALID_ADDRESS',
      });
    });
  });
});
