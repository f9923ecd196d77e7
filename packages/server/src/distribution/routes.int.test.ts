import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '@steward/protocol';
import {
  createTestContext,
  postgresReachable,
  testDialects,
  testSecretBox,
} from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { createAdminApp } from '../http/admin-app.js';
import { installAdminAuth } from '../http/auth.js';
import type { App } from '../http/types.js';
import { UserService } from '../users/service.js';
import { loadOrCreateSiteKeys } from '../site/site-keys.js';
import { ContentStore } from '../content/content-store.js';
import { createDistribution, type Distribution } from './wiring.js';
import { addVersion, NO_ENTITLEMENT } from '../../test/support/distribution.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of distribution routes.int.test.ts are SKIPPED',
  );

const PASSWORD = 'correct horse battery';

/** Every admin route once over HTTP: schemas, status codes and error bodies. */
describe.each(testDialects)('distribution admin routes on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let app: App;
    let d: Distribution;
    let dir: string;
    let token = '';

    beforeAll(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      dir = mkdtempSync(join(tmpdir(), 'steward-routes-'));
      const store = new ContentStore(join(dir, 'content'));
      const users = new UserService(ctx);
      await users.ensureInitialAdmin(PASSWORD);
      token = (await users.login('admin', PASSWORD, '127.0.0.1')).token;
      const keys = await loadOrCreateSiteKeys(ctx.db.kysely, testSecretBox(), {});
      d = createDistribution(ctx, {
        keys,
        store,
        agentUrl: () => 'https://site:8443',
        entitlement: NO_ENTITLEMENT,
      });
      await d.start({ siteServerUrl: 'https://site:8443', version: 'test' });
      await addVersion(ctx.db.kysely, {
        packageName: 'tool',
        files: [{ path: 'a.sh', bytes: 'echo' }],
        store,
      });
      app = await createAdminApp(ctx.log, 'test');
      installAdminAuth(app, users);
      d.registerAdminRoutes(app);
      await app.ready();
    });
    afterAll(async () => {
      d?.stop();
      await app?.close();
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
      const res = await app.inject({
        method,
        url: `${API_PREFIX}${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const json: unknown = res.body ? JSON.parse(res.body) : undefined;
      return { status: res.statusCode, json: json as Record<string, unknown> & unknown[] };
    }

    it('distribution points, groups and package distribution', async () => {
      const created = await call('POST', '/distribution-points', { name: 'b1' });
      expect(created.status).toBe(201);
      expect(String(created.json.registrationToken)).toMatch(/^dp1\./);
      expect((await call('POST', '/distribution-points', { name: 'b2', extra: 1 })).json.code).toBe(
        'INVALID_INPUT',
      );
      expect((await call('POST', '/distribution-points', { name: 'b2' })).status).toBe(201);
      expect((await call('GET', '/distribution-points')).json).toHaveLength(3);
      expect(
        (await call('PATCH', '/distribution-points/b1', { protected: true })).json,
      ).toMatchObject({ protected: true, state: 'pending' });
      expect((await call('POST', '/distribution-points/b1/registration-token')).status).toBe(200);
      const siteDel = await call('DELETE', '/distribution-points/site-server');
      expect([siteDel.status, siteDel.json.code]).toEqual([409, 'DP_IS_SITE_SERVER']);
      expect((await call('GET', '/distribution-points/nope')).json.code).toBe('DP_NOT_FOUND');

      const group = await call('POST', '/dp-groups', { name: 'branches', memberIds: ['b1'] });
      expect(group.status).toBe(201);
      const dist = await call('POST', '/packages/tool/distribute', {
        dpGroupIds: ['branches'],
        dpIds: ['site-server'],
      });
      expect(dist.json).toMatchObject({ targeted: 2, installed: 1, percentComplete: 50 });
      const added = await call('POST', '/dp-groups/branches/members', { dpIds: ['b2'] });
      expect(added.json.membersMissingContent).toHaveLength(1);
      const after = await call('POST', '/dp-groups/branches/distribute-to-new-members');
      expect(after.json.membersMissingContent).toEqual([]);
      expect((await call('DELETE', '/dp-groups/branches/members/b2')).json.memberIds).toHaveLength(
        1,
      );
      expect((await call('PATCH', '/dp-groups/branches', { description: 'x' })).status).toBe(200);
      expect((await call('GET', '/dp-groups')).json).toHaveLength(1);

      expect((await call('GET', '/packages/tool/content-status')).json.targeted).toBe(3);
      expect((await call('GET', '/distribution-points/b1/content')).json).toHaveLength(1);
      expect((await call('POST', '/packages/tool/validate', {})).status).toBe(200);
      expect((await call('GET', '/reports/distribution-status?package=tool')).json).toHaveLength(3);
      expect((await call('GET', '/reports/dp-completion')).json).toEqual([
        expect.objectContaining({ packageName: 'tool', targeted: 3, installed: 1 }),
      ]);
      expect((await call('DELETE', '/packages/tool/distribution-points/b2')).status).toBe(204);
      expect((await call('DELETE', '/dp-groups/branches')).status).toBe(204);
      expect((await call('DELETE', '/distribution-points/b2')).status).toBe(204);
      expect((await call('POST', '/packages/nope/distribute', {})).json.code).toBe(
        'PACKAGE_NOT_FOUND',
      );
    });

    it('boundaries, boundary groups and the resolver', async () => {
      const bad = await call('POST', '/boundaries', {
        name: 'x',
        type: 'subnet',
        value: '1.2.3.4/99',
      });
      expect([bad.status, bad.json.code]).toEqual([400, 'INVALID_BOUNDARY']);
      expect(
        (await call('POST', '/boundary-groups', { name: 'hq', dpIds: ['site-server'] })).status,
      ).toBe(201);
      const b = await call('POST', '/boundaries', {
        name: 'net',
        type: 'range',
        value: '10.0.0.1-10.0.0.9',
        boundaryGroupIds: ['hq'],
      });
      expect(b.status).toBe(201);
      expect(
        (await call('PATCH', '/boundaries/net', { value: '10.0.0.0/24', type: 'subnet' })).json
          .value,
      ).toBe('10.0.0.0/24');
      expect((await call('GET', '/boundaries')).json).toHaveLength(1);
      const resolved = await call('GET', '/boundary-groups/resolve?ip=10.0.0.7&packageId=tool');
      expect(resolved.status).toBe(200);
      expect(resolved.json.locations).toEqual([
        expect.objectContaining({ dpId: 'site-server', tier: 'local', afterMinutes: 0 }),
      ]);
      expect((await call('GET', '/boundary-groups/hq')).json.boundaryIds).toHaveLength(1);
      expect((await call('PATCH', '/boundary-groups/hq', { slow: true })).json.slow).toBe(true);
      expect((await call('GET', '/boundary-groups')).json).toHaveLength(1);
      expect((await call('DELETE', '/boundaries/net')).status).toBe(204);
      expect((await call('DELETE', '/boundary-groups/hq')).status).toBe(204);
    });
  });
});
