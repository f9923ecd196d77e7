import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestContext,
  postgresReachable,
  testDialects,
  testSecretBox,
} from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { ADMIN, ANALYST, ManualClock } from '../../test/support/collections.js';
import { loadOrCreateSiteKeys } from '../site/site-keys.js';
import { ContentStore } from '../content/content-store.js';
import { decodeDpToken } from '@steward/protocol/node';
import { createDistribution, type Distribution } from './wiring.js';
import { sha256Hex } from '../enrolment/service.js';
import { addVersion, NO_ENTITLEMENT, statusMessages } from '../../test/support/distribution.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of distribution.int.test.ts are SKIPPED',
  );

describe.each(testDialects)('distribution points and content on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let dir: string;
    let store: ContentStore;
    let d: Distribution;

    beforeEach(async () => {
      clock = new ManualClock();
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      dir = mkdtempSync(join(tmpdir(), 'steward-dist-'));
      store = new ContentStore(join(dir, 'content'));
      const keys = await loadOrCreateSiteKeys(ctx.db.kysely, testSecretBox(), {});
      d = createDistribution(ctx, {
        keys,
        store,
        agentUrl: () => 'https://site.example:8443',
        entitlement: NO_ENTITLEMENT,
      });
      await d.start({ siteServerUrl: 'https://site.example:8443', version: 'test' });
    });
    afterEach(async () => {
      d?.stop();
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    async function register(name: string): Promise<{ id: string; name: string }> {
      const reg = await d.dps.create(ADMIN, { name });
      const token = decodeDpToken(reg.registrationToken);
      if (!token.ok) throw new Error(token.error);
      await d.dpSite.register(
        {
          secret: token.value.secret,
          url: `https://${name}:8444`,
          hostnames: [name],
          version: '1',
        },
        '10.0.0.1',
      );
      return { id: reg.distributionPoint.id, name };
    }

    it('creates DPs with a one-time registration token; the site server DP stays', async () => {
      const reg = await d.dps.create(ADMIN, { name: 'branch-1', protected: true });
      expect(reg.distributionPoint).toMatchObject({
        name: 'branch-1',
        state: 'pending',
        protected: true,
        isSiteServer: false,
        url: null,
      });
      const token = decodeDpToken(reg.registrationToken);
      expect(token.ok && token.value).toMatchObject({
        url: 'https://site.example:8443',
        dpId: reg.distributionPoint.id,
      });
      expect(Date.parse(reg.expiresAt) - clock.now().getTime()).toBe(7 * 86400_000);
      await expect(d.dps.create(ADMIN, { name: 'branch-1' })).rejects.toMatchObject({
        code: 'DP_NAME_TAKEN',
      });
      await expect(d.dps.create(ANALYST, { name: 'x' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const list = await d.dps.list(ADMIN);
      expect(list.map((x) => [x.name, x.isSiteServer, x.state])).toEqual([
        ['site-server', true, 'online'],
        ['branch-1', false, 'pending'],
      ]);
      await expect(d.dps.remove(ADMIN, 'site-server')).rejects.toMatchObject({
        code: 'DP_IS_SITE_SERVER',
        status: 409,
      });
      await d.dps.remove(ADMIN, 'branch-1');
      expect((await d.dps.list(ADMIN)).map((x) => x.name)).toEqual(['site-server']);
    });

    it('registers once; an expired or used token is refused; renewal gives a new one', async () => {
      const reg = await d.dps.create(ADMIN, { name: 'branch-1' });
      const token = decodeDpToken(reg.registrationToken);
      if (!token.ok) throw new Error(token.error);
      const body = {
        secret: token.value.secret,
        url: 'https://b1:8444',
        hostnames: ['b1'],
        version: '1',
      };
      clock.advanceMinutes(8 * 24 * 60);
      await expect(d.dpSite.register(body, '10.0.0.1')).rejects.toMatchObject({
        code: 'DP_TOKEN_EXPIRED',
        status: 401,
      });
      const renewed = decodeDpToken((await d.dps.renewToken(ADMIN, 'branch-1')).registrationToken);
      if (!renewed.ok) throw new Error(renewed.error);
      await expect(d.dpSite.register(body, '10.0.0.1')).rejects.toMatchObject({
        code: 'DP_TOKEN_INVALID',
      });
      const res = await d.dpSite.register({ ...body, secret: renewed.value.secret }, '10.0.0.1');
      expect(res.dpId).toBe(reg.distributionPoint.id);
      expect(res.certChainPem).toContain('BEGIN CERTIFICATE');
      await expect(
        d.dpSite.register({ ...body, secret: renewed.value.secret }, '10.0.0.1'),
      ).rejects.toMatchObject({ code: 'DP_TOKEN_INVALID' });
      expect(await d.dps.get(ADMIN, 'branch-1')).toMatchObject({
        state: 'online',
        url: 'https://b1:8444',
      });
      expect(await statusMessages(ctx.db.kysely, 50100)).toHaveLength(1);
      await expect(d.dps.renewToken(ADMIN, 'site-server')).rejects.toMatchObject({
        code: 'DP_IS_SITE_SERVER',
      });
    });

    it('installs content on the site server at once: 2342 then 2330', async () => {
      const v = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'a.sh', bytes: 'echo a' }],
        store,
      });
      const status = await d.distribution.distribute(ADMIN, 'tool', { dpIds: ['site-server'] });
      expect(status).toMatchObject({ targeted: 1, installed: 1, percentComplete: 100 });
      const started = await statusMessages(ctx.db.kysely, 2342);
      const done = await statusMessages(ctx.db.kysely, 2330);
      expect(started.map((m) => m.attributes)).toEqual([
        expect.objectContaining({ packageId: v.packageId, distributionPoint: 'site-server' }),
      ]);
      expect(done[0]?.strings).toEqual(['tool', 'site-server']);
      const ids = await ctx.db.kysely
        .selectFrom('status_message')
        .select('message_id')
        .where('message_id', 'in', [2342, 2330])
        .orderBy('id')
        .execute();
      expect(ids.map((r) => r.message_id)).toEqual([2342, 2330]);
      // The site server DP holds the library and answers now: its figures say so, hours later too.
      clock.advanceMinutes(180);
      const siteServer = (await d.dps.list(ADMIN)).find((x) => x.isSiteServer);
      expect(siteServer).toMatchObject({
        storedBytes: Buffer.byteLength('echo a'),
        lastSeenAt: clock.now().toISOString(),
        state: 'online',
      });

      // Validate content: the library's copy is re-hashed in process.
      writeFileSync(store.pathOf(sha256Hex('echo a')), 'tampered');
      const after = await d.distribution.validate(ADMIN, 'tool');
      expect(after.distributionPoints[0]).toMatchObject({ state: 'validation-failed' });
      expect(await statusMessages(ctx.db.kysely, 50102)).toHaveLength(1);
    });

    it('refuses unknown packages, DPs, groups and packages without content, writing nothing', async () => {
      await addVersion(ctx.db.kysely, { packageName: 'tool', files: [{ path: 'a', bytes: 'a' }] });
      await ctx.db.kysely
        .insertInto('software_package')
        .values({
          id: 'empty',
          name: 'empty',
          publisher: '',
          version: '',
          description: '',
          priority: 'low',
          current_version_id: null,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
        })
        .execute();
      await expect(d.distribution.distribute(ADMIN, 'nope', {})).rejects.toMatchObject({
        code: 'PACKAGE_NOT_FOUND',
      });
      await expect(
        d.distribution.distribute(ADMIN, 'tool', { dpIds: ['site-server', 'ghost'] }),
      ).rejects.toMatchObject({ code: 'DP_NOT_FOUND' });
      await expect(
        d.distribution.distribute(ADMIN, 'tool', { dpGroupIds: ['ghost'] }),
      ).rejects.toMatchObject({ code: 'DP_GROUP_NOT_FOUND' });
      await expect(
        d.distribution.distribute(ADMIN, 'empty', { dpIds: ['site-server'] }),
      ).rejects.toMatchObject({ code: 'PACKAGE_HAS_NO_CONTENT' });
      const rows = await ctx.db.kysely.selectFrom('dp_package').selectAll().execute();
      expect(rows).toEqual([]);
    });

    it('targets group members of the moment; new members wait for "distribute to new members"', async () => {
      const b1 = await register('b1');
      const b2 = await register('b2');
      await addVersion(ctx.db.kysely, { packageName: 'tool', files: [{ path: 'a', bytes: 'a' }] });
      await d.groups.create(ADMIN, { name: 'branches', memberIds: ['b1'] });
      await d.distribution.distribute(ADMIN, 'tool', { dpGroupIds: ['branches'] });
      const added = await d.groups.addMembers(ADMIN, 'branches', ['b2']);
      expect(added.memberIds.sort()).toEqual([b1.id, b2.id].sort());
      expect(added.membersMissingContent).toEqual([
        { dpId: b2.id, missingPackageIds: added.packageIds },
      ]);
      expect((await d.distribution.contentStatus(ADMIN, 'tool')).targeted).toBe(1);
      const after = await d.groups.distributeToNewMembers(ADMIN, 'branches');
      expect(after.membersMissingContent).toEqual([]);
      const status = await d.distribution.contentStatus(ADMIN, 'tool');
      expect(status.distributionPoints.map((r) => [r.dpName, r.state])).toEqual([
        ['b1', 'pending'],
        ['b2', 'pending'],
      ]);
      const removed = await d.groups.removeMember(ADMIN, 'branches', 'b2');
      expect(removed.memberIds).toEqual([b1.id]);
    });

    it('raises 2342 once per version, 2330 on install, 50101 on failure; new versions restart', async () => {
      const dp = await register('b1');
      const v1 = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'a', bytes: 'aaaa' }],
      });
      await d.distribution.distribute(ADMIN, 'tool', { dpIds: ['b1'] });
      const report = (
        state: 'distributing' | 'installed' | 'failed',
        versionId: string,
        done = 0,
      ) =>
        d.dpSite.status(dp, {
          version: '1',
          storedBytes: done,
          items: [
            {
              packageVersionId: versionId,
              state,
              bytesDone: done,
              bytesTotal: 4,
              ...(state === 'failed' ? { message: 'disk full' } : {}),
            },
          ],
        });
      await report('distributing', v1.versionId, 1);
      await report('distributing', v1.versionId, 2);
      expect(await statusMessages(ctx.db.kysely, 2342)).toHaveLength(1);
      await report('failed', v1.versionId, 2);
      await report('failed', v1.versionId, 2);
      expect((await statusMessages(ctx.db.kysely, 50101))[0]?.strings).toEqual([
        'tool',
        'b1',
        'disk full',
      ]);
      expect(await statusMessages(ctx.db.kysely, 50101)).toHaveLength(1);
      await report('installed', v1.versionId, 4);
      await report('installed', v1.versionId, 4);
      expect(await statusMessages(ctx.db.kysely, 2330)).toHaveLength(1);
      expect(await statusMessages(ctx.db.kysely, 2342)).toHaveLength(1);
      const dpView = await d.dps.get(ADMIN, 'b1');
      expect(dpView).toMatchObject({ packagesTargeted: 1, packagesInstalled: 1, storedBytes: 4 });

      const v2 = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'a', bytes: 'bbbb' }],
      });
      await ctx.bus.publish('content-changed', { packageId: v2.packageId });
      await expect
        .poll(async () => (await d.distribution.dpContent(ADMIN, 'b1'))[0]?.versionNumber)
        .toBe(2);
      expect((await d.distribution.dpContent(ADMIN, 'b1'))[0]?.state).toBe('pending');
      // A late report about version 1 changes nothing.
      await report('installed', v1.versionId, 4);
      expect((await d.distribution.dpContent(ADMIN, 'b1'))[0]?.state).toBe('pending');
      const assigned = await d.dpSite.assignments(dp);
      expect(assigned.packages.map((p) => [p.versionNumber, p.files[0]?.sha256])).toEqual([
        [2, sha256Hex('bbbb')],
      ]);
      await report('installed', v2.versionId, 4);
      expect(await statusMessages(ctx.db.kysely, 2342)).toHaveLength(2);
      expect(await statusMessages(ctx.db.kysely, 2330)).toHaveLength(2);

      const completion = await d.distribution.dpCompletionReport(ADMIN);
      expect(completion).toEqual([
        {
          packageId: v2.packageId,
          packageName: 'tool',
          targeted: 1,
          installed: 1,
          percentComplete: 100,
        },
      ]);
      expect(await d.distribution.distributionStatusReport(ADMIN, { dp: 'b1' })).toHaveLength(1);
      await d.distribution.removeFromDp(ADMIN, 'tool', 'b1');
      expect((await d.dpSite.assignments(dp)).packages).toEqual([]);
    });

    it('stores fractional byte counts a DP may report instead of failing every report', async () => {
      const dp = await register('b9');
      const v1 = await addVersion(ctx.db.kysely, {
        packageName: 'fractional',
        files: [{ path: 'a', bytes: 'aaaa' }],
      });
      await d.distribution.distribute(ADMIN, 'fractional', { dpIds: ['b9'] });
      await d.dpSite.status(dp, {
        version: '1',
        storedBytes: 1.5,
        items: [
          { packageVersionId: v1.versionId, state: 'distributing', bytesDone: 1.5, bytesTotal: 4 },
        ],
      });
      const [row] = await d.distribution.dpContent(ADMIN, 'b9');
      expect(row).toMatchObject({ state: 'distributing', bytesDone: 1, bytesTotal: 4 });
    });

    it('gives a DP its packages highest priority first', async () => {
      const dp = await register('b1');
      for (const [name, priority] of [
        ['aaa-low', 'low'],
        ['mmm-medium', 'medium'],
        ['zzz-high', 'high'],
      ] as const) {
        await addVersion(ctx.db.kysely, { packageName: name, files: [{ path: 'f', bytes: name }] });
        await ctx.db.kysely
          .updateTable('software_package')
          .set({ priority })
          .where('name', '=', name)
          .execute();
        await d.distribution.distribute(ADMIN, name, { dpIds: ['b1'] });
      }
      const order = (await d.dpSite.assignments(dp)).packages.map((p) => p.packageName);
      expect(order).toEqual(['zzz-high', 'mmm-medium', 'aaa-low']);
    });

    it('asks remote DPs to validate and records the result', async () => {
      const dp = await register('b1');
      const v = await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'a', bytes: 'a' }],
      });
      await d.distribution.distribute(ADMIN, 'tool', { dpIds: ['b1'] });
      const item = { packageVersionId: v.versionId, bytesDone: 1, bytesTotal: 1 };
      await d.dpSite.status(dp, {
        version: '1',
        storedBytes: 1,
        items: [{ ...item, state: 'installed' }],
      });
      await d.distribution.validate(ADMIN, 'tool', ['b1']);
      const asked = (await d.dpSite.assignments(dp)).packages[0]?.validateRequestedAt;
      expect(asked).toBe(clock.now().toISOString());
      await d.dpSite.status(dp, {
        version: '1',
        storedBytes: 0,
        items: [
          {
            ...item,
            state: 'validation-failed',
            validatedAt: clock.now().toISOString(),
            badFiles: [sha256Hex('a')],
          },
        ],
      });
      expect((await d.dpSite.assignments(dp)).packages[0]?.validateRequestedAt).toBeNull();
      expect((await d.distribution.dpContent(ADMIN, 'b1'))[0]).toMatchObject({
        state: 'validation-failed',
        validatedAt: clock.now().toISOString(),
      });
      const msgs = await statusMessages(ctx.db.kysely, 50102);
      expect(msgs[0]?.strings[2]).toContain('1 file(s) missing or damaged');
      // Repaired: installed again, 2330 again.
      await d.dpSite.status(dp, {
        version: '1',
        storedBytes: 1,
        items: [{ ...item, state: 'installed' }],
      });
      expect(await statusMessages(ctx.db.kysely, 2330)).toHaveLength(2);
    });
  });
});
