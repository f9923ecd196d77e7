import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@steward/protocol';
import {
  pgReachable,
  createTestSite,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { refusalOfOversizedBody } from '../../../test-support/oversized-body.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg)
  console.warn('PostgreSQL at 127.0.0.1:5432 is not reachable: the postgres cases are skipped');

function installedDpkgCount(): number {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\n'], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.startsWith('ii')).length;
}

describe.each(dialects)('a site on %s with a real agent', (dialect) => {
  let site: Site;
  beforeAll(async () => {
    if (dialect === 'postgres' && !hasPg) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'shows the enrolled device with its real inventory',
    async () => {
      const device = site.devices[0];
      expect(device).toBeDefined();
      const detail = await site.api.getDevice(device?.id ?? '');
      expect(detail.osFamily).toBe('debian');
      expect(detail.packageCount).toBe(installedDpkgCount());
      expect(detail.memoryTotalMb).toBeGreaterThan(0);
      const machine = detail.inventory.machine?.[0];
      expect(machine?.type).toMatch(/^(server|desktop|laptop|virtual-machine|unknown)$/);
      expect(String(machine?.typeReason ?? '')).not.toBe('');
      expect(detail.inventory.cpu?.[0]?.cores).toBeGreaterThan(0);
      expect((detail.inventory.disk ?? []).length).toBeGreaterThan(0);
      expect((detail.inventory.ipAddress ?? []).some((a) => a.address === '127.0.0.1')).toBe(true);
      const pkgs = await site.api.devicePackages(device?.id ?? '', { search: 'dpkg' });
      expect(pkgs.items.some((p) => p.name === 'dpkg')).toBe(true);
      // The built-in collections picked it up.
      const all = await waitFor('All Systems membership', async () => {
        const m = await site.api.collectionMembers('all-systems');
        return m.total >= 1 ? m : undefined;
      });
      expect(all.items.map((d) => d.id)).toContain(device?.id);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'pushes "collect inventory now" and "fetch policy now" to the connected agent',
    async () => {
      const id = site.devices[0]?.id ?? '';
      await waitFor('push connection', async () => (await site.api.getDevice(id)).online);
      for (const action of ['inventory:collect', 'policy:fetch'] as const) {
        const req = await site.api.requestDeviceAction(id, action);
        const done = await waitFor(`${action} completed`, async () =>
          (await site.api.deviceActions(id)).find(
            (a) => a.id === req.id && a.state === 'completed',
          ),
        );
        expect(done.deliveredAt).not.toBeNull();
      }
      // Client notification for a whole collection reaches the same agent.
      const sent = await site.api.notifyCollection('All Systems', 'policy:fetch');
      expect(sent).toMatchObject({ collectionId: 'all-systems', devices: 1, connected: 1 });
      await waitFor('collection-wide request completed', async () =>
        (await site.api.deviceActions(id)).find(
          (a) =>
            a.action === 'policy:fetch' &&
            a.requestedAt === sent.requestedAt &&
            a.state === 'completed',
        ),
      );
      await expect(
        site.api.notifyCollection('no such collection', 'policy:fetch'),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const messages = await site.api.listStatusMessages({ deviceId: id, messageId: 40031 });
      expect(messages.items.length).toBeGreaterThanOrEqual(2);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'collects a custom inventory class defined without code and queries it',
    async () => {
      const id = site.devices[0]?.id ?? '';
      const dir = mkdtempSync(join(tmpdir(), 'steward-class-'));
      const file = join(dir, 'asset.conf');
      writeFileSync(file, 'ASSET_TAG=AT-4711\nRACK=r12\nWARRANTY_YEARS=3\n');
      await site.api.createInventoryClass({
        name: 'assetTag',
        description: 'Asset tag file',
        multiInstance: false,
        source: { kind: 'file', path: file, format: 'keyvalue' },
        properties: [
          { name: 'tag', type: 'string', from: 'ASSET_TAG' },
          { name: 'rack', type: 'string', from: 'RACK' },
          { name: 'warrantyYears', type: 'number', from: 'WARRANTY_YEARS' },
        ],
      });
      const fetch = await site.api.requestDeviceAction(id, 'policy:fetch');
      await waitFor('policy fetched', async () =>
        (await site.api.deviceActions(id)).some(
          (a) => a.id === fetch.id && a.state === 'completed',
        ),
      );
      const collect = await site.api.requestDeviceAction(id, 'inventory:collect');
      await waitFor('inventory collected', async () =>
        (await site.api.deviceActions(id)).some(
          (a) => a.id === collect.id && a.state === 'completed',
        ),
      );
      const detail = await waitFor('custom class in inventory', async () => {
        const d = await site.api.getDevice(id);
        return d.inventory.assetTag?.[0]?.tag === 'AT-4711' ? d : undefined;
      });
      expect(detail.inventory.assetTag?.[0]?.warrantyYears).toBe(3);
      const c = await site.api.createCollection({
        name: `Rack r12 ${dialect}`,
        rules: [{ kind: 'query', query: 'assetTag.rack = "r12" and assetTag.warrantyYears >= 2' }],
      });
      expect(c.memberCount).toBe(1);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'builds collections from queries with dpkg-aware versions',
    async () => {
      const dpkgVersion = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'dpkg'], {
        encoding: 'utf8',
      });
      const preview = await site.api.previewCollection({
        rules: [
          {
            kind: 'query',
            query: `os.family = "debian" and any(package, name = "dpkg" and version >= "${dpkgVersion}")`,
          },
        ],
      });
      expect(preview.count).toBe(1);
      const none = await site.api.previewCollection({
        rules: [
          { kind: 'query', query: `any(package, name = "dpkg" and version > "${dpkgVersion}")` },
        ],
      });
      expect(none.count).toBe(0);
      const created = await site.api.createCollection({
        name: `Debian with dpkg ${dialect}`,
        rules: [{ kind: 'query', query: 'os.family = "debian" and any(package, name = "dpkg")' }],
      });
      const members = await site.api.collectionMembers(created.id);
      expect(members.items.map((d) => d.id)).toEqual([site.devices[0]?.id]);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'refuses bad input with stable codes and writes nothing',
    async () => {
      const before = (await site.api.listCollections()).length;
      const post = (path: string, body: string, type = 'application/json') =>
        fetch(`${site.adminUrl}/api/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': type, authorization: `Bearer ${tokenOf(site)}` },
          body,
        });
      const codeOf = async (r: Response) => ((await r.json()) as { code: string }).code;
      let r = await post('/collections', '{"name": ');
      expect([r.status, await codeOf(r)]).toEqual([400, 'INVALID_JSON']);
      r = await post('/collections', JSON.stringify({ name: 'x', rules: [], surprise: 1 }));
      expect([r.status, await codeOf(r)]).toEqual([400, 'INVALID_INPUT']);
      r = await post('/collections', JSON.stringify({ name: 42, rules: [] }));
      expect([r.status, await codeOf(r)]).toEqual([400, 'INVALID_INPUT']);
      const big = await refusalOfOversizedBody(`${site.adminUrl}/api/v1/collections`, {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf(site)}` },
        contentLength: 3 * 1024 * 1024,
      });
      expect([big.status, big.body]).toMatchObject([413, { code: 'BODY_TOO_LARGE' }]);
      r = await post(
        '/collections',
        JSON.stringify({
          name: 'inj',
          rules: [{ kind: 'query', query: 'os.family = "x"; drop table device; --' }],
        }),
      );
      expect([r.status, await codeOf(r)]).toEqual([400, 'QUERY_SYNTAX']);
      const injected = await site.api.previewCollection({
        rules: [
          { kind: 'query', query: `os.name = "x' or '1'='1" or os.family = "\\" or 1=1 --"` },
        ],
      });
      expect(injected.count).toBe(0);
      await expect(
        site.api.createCollection({ name: 'All Systems', rules: [] }),
      ).rejects.toMatchObject({ code: 'COLLECTION_NAME_TAKEN' });
      expect((await site.api.listCollections()).length).toBe(before);
      expect((await site.api.listDevices()).total).toBe(1);
      // LIKE wildcards typed in a search match literally.
      expect((await site.api.listDevices({ search: '%' })).total).toBe(0);
      expect(
        (await site.api.devicePackages(site.devices[0]?.id ?? '', { search: '_' })).total,
      ).toBe(0);
      // Cursors are ids: anything else is refused, never turned into NaN in SQL.
      for (const q of ['before=abc', 'after=1%20or%201=1', 'limit=0']) {
        const bad = await fetch(`${site.adminUrl}/api/v1/status-messages?${q}`, {
          headers: { authorization: `Bearer ${tokenOf(site)}` },
        });
        expect([bad.status, await codeOf(bad)]).toEqual([400, 'INVALID_INPUT']);
      }
      const unauth = await fetch(`${site.adminUrl}/api/v1/devices`);
      expect([unauth.status, await codeOf(unauth)]).toEqual([401, 'UNAUTHENTICATED']);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'reports client activity with configurable thresholds',
    async () => {
      const activity = await site.api.clientActivity();
      expect(activity).toMatchObject({ total: 1, active: 1, inactive: 0, obsolete: 0 });
      expect(activity.thresholds.heartbeat).toBe(7);
      expect(activity.series.length).toBeGreaterThanOrEqual(1);
      expect(activity.daily.length).toBeGreaterThanOrEqual(1);
      expect(activity.recent.policyRequest).toBe(1);
      await expect(site.api.updateSiteSettings({ inactiveHeartbeatDays: 0 })).rejects.toMatchObject(
        { code: 'INVALID_INPUT' },
      );
      await site.api.updateSiteSettings({ inactiveHeartbeatDays: 30 });
      expect((await site.api.clientActivity()).thresholds.heartbeat).toBe(30);
      await site.api.updateSiteSettings({ inactiveHeartbeatDays: 7 });
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'lets a read-only analyst read but not change',
    async () => {
      await site.api.createUser({
        name: `analyst-${dialect}`,
        password: 'analyst-password',
        role: 'read-only-analyst',
      });
      const { ApiClient } = await import('@steward/protocol');
      const analyst = new ApiClient({ baseUrl: site.adminUrl });
      analyst.setToken((await analyst.login(`analyst-${dialect}`, 'analyst-password')).token);
      expect((await analyst.listDevices()).total).toBe(1);
      const err = await analyst.createToken().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const audit = await site.api.listAudit({ limit: 200 });
      expect(audit.some((a) => a.action === 'user.create' && a.userName === 'admin')).toBe(true);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'filters the audit log and names its targets',
    async () => {
      const collection = await site.api.createCollection({
        name: `Audit 100% named_${dialect}`,
        rules: [],
      });
      const all = await site.api.listAudit({ limit: 1000 });
      const created = all.find(
        (a) => a.action === 'collection.create' && a.targetId === collection.id,
      );
      // The target's name, not only its id.
      expect(created).toMatchObject({ targetType: 'collection', targetName: collection.name });
      // Each filter narrows to exactly what it says; together they intersect.
      const byUser = await site.api.listAudit({ user: 'admin', limit: 1000 });
      expect(byUser.map((a) => a.id)).toContain(created?.id);
      expect(byUser.every((a) => a.userName === 'admin')).toBe(true);
      expect(await site.api.listAudit({ user: 'nobody-at-all' })).toEqual([]);
      const byAction = await site.api.listAudit({ action: 'collection.create', limit: 1000 });
      expect(byAction.length).toBeGreaterThan(0);
      expect(byAction.every((a) => a.action === 'collection.create')).toBe(true);
      const byKind = await site.api.listAudit({ action: 'user.', limit: 1000 });
      expect(byKind.length).toBeGreaterThan(0);
      expect(byKind.every((a) => a.action.startsWith('user.'))).toBe(true);
      // Text is a literal, case-insensitive "contains": % and _ match only themselves.
      const byText = await site.api.listAudit({ text: `100% NAMED_${dialect.toUpperCase()}` });
      expect(byText.map((a) => a.id)).toEqual([created?.id]);
      expect(await site.api.listAudit({ text: '100_ named' })).toEqual([]);
      const at = Date.parse(created?.at ?? '');
      const window = {
        from: new Date(at).toISOString(),
        to: new Date(at + 1).toISOString(),
        action: 'collection.create',
      };
      expect((await site.api.listAudit(window)).map((a) => a.id)).toContain(created?.id);
      expect(await site.api.listAudit({ ...window, from: new Date(at + 1).toISOString() })).toEqual(
        [],
      );
      const facets = await site.api.auditFacets();
      expect(facets.users).toContain('admin');
      expect(facets.actions).toContain('collection.create');
      expect(facets.targetTypes).toContain('collection');
      await expect(site.api.listAudit({ from: 'yesterday' })).rejects.toMatchObject({
        status: 400,
      });
    },
  );

  // Last in this file: it blocks sign-ins from this address for five minutes.
  it.skipIf(dialect === 'postgres' && !hasPg)('throttles failed sign-ins', async () => {
    const { ApiClient } = await import('@steward/protocol');
    const client = new ApiClient({ baseUrl: site.adminUrl });
    // Five guesses at one name from one address (login-limiter.ts), then that pair waits.
    for (let i = 0; i < 5; i++) {
      await expect(client.login('admin', `wrong-${i}`)).rejects.toMatchObject({
        status: 401,
        code: 'INVALID_CREDENTIALS',
      });
    }
    // Even the right password is refused now, with the time to wait.
    await expect(client.login('admin', site.adminPassword)).rejects.toMatchObject({
      status: 429,
      code: 'LOGIN_RATE_LIMITED',
    });
  });
});

function tokenOf(site: Site): string {
  return site.api.token ?? '';
}
