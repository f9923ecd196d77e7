import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AppError,
  armorKeyring,
  SiteSettingsOptions,
  settingsDefaults,
  type AdvisoryFormat,
  type UpdateSync,
} from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../../../test-support/apt-repo.js';
import { waitFor } from '../../../../../test-support/site.js';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import {
  ADMIN,
  ANALYST,
  countRows,
  insertDevices,
  ManualClock,
} from '../../../test/support/collections.js';
import type { SiteContext } from '../../context.js';
import { SiteSettingsService } from '../../site/site-settings.js';
import { UpdateCatalogService } from '../service.js';
import { AdvisoryService } from './service.js';

// Advisory feeds in their real formats (checked-in fixtures), from an upload and from a URL on
// 127.0.0.1; enrichment of updates synced from a local signed repository; the CVE view over
// devices with different package sets; supersedence expiry (ADR 0048, 0049).
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of advisories.int.test.ts are SKIPPED',
  );

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/advisories');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const V1: TestPackage[] = [
  { name: 'libssl3', version: '3.0.14-1~deb12u2', source: 'openssl' },
  { name: 'openssl', version: '3.0.14-1~deb12u2' },
  { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
  { name: 'openssl', version: '3.0.15-1~deb12u1' },
  { name: 'tzdata', version: '2024a-0+deb12u1' },
];

let dir: string;
let root: string;
let key: SigningKey;
let repo: { url: string; server: Server };
/** Serves the fixtures with ETags and answers a matching If-None-Match with 304. */
let feeds: {
  url: string;
  server: Server;
  requests: { path: string; ifNoneMatch: string | undefined; status: number }[];
};

async function serveFeeds(dirPath: string) {
  const requests: { path: string; ifNoneMatch: string | undefined; status: number }[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    let body: Buffer;
    try {
      if (path.includes('/') || path.includes('..')) throw new Error('no');
      body = readFileSync(join(dirPath, path));
    } catch {
      requests.push({ path, ifNoneMatch: req.headers['if-none-match'], status: 404 });
      res.writeHead(404).end();
      return;
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const status = req.headers['if-none-match'] === etag ? 304 : 200;
    requests.push({ path, ifNoneMatch: req.headers['if-none-match'], status });
    if (status === 304) res.writeHead(304, { etag }).end();
    else res.writeHead(200, { etag, 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}

let feedDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-advisories-test-'));
  root = join(dir, 'archive');
  feedDir = join(dir, 'feeds');
  execFileSync('cp', ['-r', FIXTURES, feedDir]);
  key = createSigningKey(dir);
  repo = await serveDirectory(root);
  feeds = await serveFeeds(feedDir);
  writeSuite(root, { suite: 'bookworm', packages: V1, key, byHash: true });
}, 60_000);

afterAll(async () => {
  await new Promise((r) => repo.server.close(r));
  await new Promise((r) => feeds.server.close(r));
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

const ROWS = [
  'advisory',
  'cve_fix',
  'cve',
  'advisory_import',
  'status_message',
  'update_advisory',
] as const;

describe.each(testDialects)('advisories on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  let advisories: AdvisoryService;
  let clock: ManualClock;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    clock = new ManualClock(new Date());
    ({ ctx, cleanup } = await createTestContext(dialect, clock));
    catalog = new UpdateCatalogService(ctx);
    advisories = new AdvisoryService(ctx);
  });
  afterEach(async () => {
    await catalog?.stop();
    await cleanup?.();
  });

  const counts = async () =>
    Object.fromEntries(
      await Promise.all(ROWS.map(async (t) => [t, await countRows(ctx.db.kysely, t)])),
    );
  const upload = (format: AdvisoryFormat, content: string) =>
    advisories.importUpload(ADMIN, format, Buffer.from(content));
  const syncBookworm = async (): Promise<UpdateSync> => {
    const source = await catalog.createSource(ADMIN, {
      name: 'Local bookworm',
      url: repo.url,
      suite: 'bookworm',
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(key.keyringFile)),
    });
    await catalog.startSync(ADMIN, source.id);
    let last: UpdateSync | undefined;
    await waitFor('the sync to end', async () => {
      last = (await catalog.listSyncs(ADMIN, source.id, {})).items[0];
      return last !== undefined && last.state !== 'running';
    });
    if (last?.state !== 'succeeded') throw new Error(`sync ${JSON.stringify(last)}`);
    return last;
  };
  const refused = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err instanceof AppError ? err : undefined;
  };

  it('imports each format from its fixture file', async () => {
    const tracker = await upload('debian-tracker', fixture('tracker.json'));
    // 3 resolved/open bookworm + 1 bullseye; the undetermined zlib entry says nothing.
    expect(tracker).toMatchObject({ state: 'succeeded', advisories: 0, cves: 3, fixes: 4 });
    const dsa = await upload('dsa-list', fixture('DSA-list'));
    expect(dsa).toMatchObject({ advisories: 2, fixes: 3 }); // 2 CVEs x openssl + 1 curl
    const dla = await upload('dla-list', fixture('DLA-list'));
    expect(dla).toMatchObject({ advisories: 2, fixes: 5 });
    const usn = await upload('usn', fixture('usn-database.json'));
    expect(usn).toMatchObject({ advisories: 1, fixes: 4 }); // 2 CVEs x jammy, noble
    const osv = await upload('osv', fixture('osv-records.json'));
    expect(osv).toMatchObject({ advisories: 2, fixes: 3 }); // PyPI is not a Debian package

    const dsa5844 = await advisories.getAdvisory(ADMIN, 'dsa-5844-1');
    expect(dsa5844).toMatchObject({
      id: 'DSA-5844-1',
      title: 'openssl - security update',
      publishedAt: '2025-01-19T00:00:00.000Z',
      cves: ['CVE-2024-5535', 'CVE-2024-9143'],
      fixes: [{ release: 'bookworm', package: 'openssl', fixedVersion: '3.0.15-1~deb12u1' }],
    });
    const usnRow = await advisories.getAdvisory(ANALYST, 'USN-7264-1');
    expect(usnRow.links).toEqual(['https://launchpad.net/bugs/2054090']);
    expect(usnRow.fixes.map((f) => f.release)).toEqual(['jammy', 'noble']);
    const ubuntuOsv = await advisories.getAdvisory(ADMIN, 'UBUNTU-CVE-2024-13176');
    expect(ubuntuOsv.severity).toBe('low');
    const byCve = await advisories.listAdvisories(ADMIN, { cve: 'CVE-2024-5535' });
    expect(byCve.items.map((a) => a.id).sort()).toEqual(['DLA-3960-1', 'DSA-5844-1', 'USN-7264-1']);
    expect((await advisories.listAdvisories(ADMIN, { kind: 'dla' })).total).toBe(2);
    expect((await advisories.listImports(ADMIN, {})).total).toBe(5);

    // A zip of OSV records (the published dumps' form).
    const zipDir = join(dir, `zip-${dialect}`);
    execFileSync('mkdir', ['-p', zipDir]);
    writeFileSync(
      join(zipDir, 'DSA-5844-1.json'),
      JSON.stringify(JSON.parse(fixture('osv-records.json'))[0]),
    );
    execFileSync('zip', ['-q', '-j', join(zipDir, 'all.zip'), join(zipDir, 'DSA-5844-1.json')]);
    const zipped = await advisories.importUpload(
      ADMIN,
      'osv',
      readFileSync(join(zipDir, 'all.zip')),
    );
    expect(zipped).toMatchObject({ state: 'succeeded', advisories: 1, fixes: 2 });
  });

  it('refuses malformed feeds with a stable code and writes nothing', async () => {
    await upload('dsa-list', fixture('DSA-list'));
    const before = await counts();
    const bad: [AdvisoryFormat, string][] = [
      [
        'debian-tracker',
        '{"openssl": {"CVE-2024-1": {"releases": {"bookworm": {"status": "resolved"}}}}}',
      ],
      ['debian-tracker', '[1, 2]'],
      [
        'debian-tracker',
        '{"openssl": {"CVE-2024-1": {"releases": {"bookworm": {"status": "fixed?"}}}}}',
      ],
      ['dsa-list', 'this is not a DSA list\n'],
      ['dsa-list', '[19 Jan 2025] DSA-5844-1 openssl - x\n\t[bookworm] - openssl not/a/version\n'],
      ['dla-list', fixture('DSA-list')],
      ['usn', '{"not-an-id": {}}'],
      ['usn', '{"7264-1": {"title": "x", "releases": {"jammy": {"sources": {"openssl": {}}}}}}'],
      ['osv', '{"id": "X"}'],
      [
        'osv',
        '{"id": "X", "modified": "2025", "affected": [{"package": {"ecosystem": "Debian:12", "name": "Bad Name"}}]}',
      ],
      ['osv', 'PK\u0003\u0004 truncated zip'],
      ['osv', '{not json'],
    ];
    for (const [format, content] of bad) {
      const err = await refused(upload(format, content));
      expect(err?.code, `${format}: ${content.slice(0, 40)}`).toBe('ADVISORY_FORMAT_INVALID');
    }
    expect(await counts()).toEqual(before);
    expect((await refused(advisories.importUpload(ANALYST, 'usn', Buffer.from('{}'))))?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('reads a feed from a URL on 127.0.0.1 with a conditional GET, and records a scheduled failure', async () => {
    const feed = await advisories.createFeed(ADMIN, {
      name: 'Tracker',
      format: 'debian-tracker',
      url: `${feeds.url}/tracker.json`,
    });
    expect(feed.lastImport).toBeNull();
    const first = await advisories.importFeed(ADMIN, 'Tracker');
    expect(first).toMatchObject({ state: 'succeeded', feedId: feed.id, cves: 3 });
    const second = await advisories.importFeed(ADMIN, feed.id);
    expect(second.state).toBe('unchanged');
    const asked = feeds.requests.filter((r) => r.path === 'tracker.json').slice(-2);
    expect(asked[1]?.ifNoneMatch).toBeDefined();
    expect(asked[1]?.status).toBe(304);
    const messages = await ctx.db.kysely
      .selectFrom('status_message')
      .select('message_id')
      .orderBy('id')
      .execute();
    expect(messages.map((m) => m.message_id)).toEqual([52150, 52151]);

    // On demand, an unreachable feed is answered and writes nothing.
    const gone = await advisories.createFeed(ADMIN, {
      name: 'Gone',
      format: 'osv',
      url: `${feeds.url}/missing.json`,
      intervalHours: 1,
    });
    const before = await counts();
    expect((await refused(advisories.importFeed(ADMIN, 'Gone')))?.code).toBe(
      'ADVISORY_FEED_UNREACHABLE',
    );
    expect(await counts()).toEqual(before);
    // On the schedule (an hour on), the failure is recorded with its status message.
    clock.advanceMinutes(61);
    await advisories.runScheduled();
    const goneNow = (await advisories.listFeeds(ADMIN)).items.find((f) => f.id === gone.id);
    expect(goneNow?.lastImport).toMatchObject({ state: 'failed' });
    expect(goneNow?.lastImport?.error).toContain('HTTP 404');
    const failed = await ctx.db.kysely
      .selectFrom('status_message')
      .select('message_id')
      .where('message_id', '=', 52152)
      .execute();
    expect(failed).toHaveLength(1);
    await advisories.deleteFeed(ADMIN, 'Gone');
    expect((await refused(advisories.importFeed(ADMIN, 'Gone')))?.code).toBe(
      'ADVISORY_FEED_NOT_FOUND',
    );
  });

  it('enriches updates at import and at a later sync: security, severity, CVEs, advisories', async () => {
    // Imported before the sync: the sync enriches what it adds.
    await upload('debian-tracker', fixture('tracker.json'));
    await syncBookworm();
    const all = await catalog.listUpdates(ADMIN, {});
    const byVersion = new Map(all.items.map((u) => [`${u.package} ${u.version}`, u]));
    // The suite is not a security suite: only advisories make the fixing update `security`,
    // and only the first version at or above the fixed version fixes it.
    expect(byVersion.get('openssl 3.0.15-1~deb12u1')).toMatchObject({
      classification: 'security',
      severity: 'high',
      cves: expect.arrayContaining(['CVE-2024-5535']),
    });
    expect(byVersion.get('openssl 3.0.14-1~deb12u2')).toMatchObject({
      classification: 'other',
      cves: [],
    });
    expect(byVersion.get('tzdata 2024a-0+deb12u1')).toMatchObject({
      classification: 'other',
      severity: 'unknown',
    });

    // Imported after the sync: the import enriches the catalog.
    const dsa = await upload('dsa-list', fixture('DSA-list'));
    expect(dsa.updatesEnriched).toBe(0); // already security from the tracker
    const fixed = await catalog.listUpdates(ADMIN, { advisory: 'DSA-5844-1' });
    expect(fixed.items.map((u) => u.version)).toEqual(['3.0.15-1~deb12u1']);
    expect(fixed.items[0]?.advisories).toEqual(['DSA-5844-1']);
    // CVE-2022-2274 is fixed in `0` (never affected): no update is its fix.
    expect(fixed.items[0]?.cves).toEqual(['CVE-2024-5535', 'CVE-2024-9143']);
    expect((await catalog.listUpdates(ADMIN, { cve: 'cve-2024-9143' })).total).toBe(1);
    expect((await catalog.listUpdates(ADMIN, { severity: 'high' })).total).toBe(1);
    expect((await catalog.listUpdates(ADMIN, { severity: 'unknown' })).total).toBe(2);
    expect((await catalog.listUpdates(ADMIN, { classification: 'security' })).total).toBe(1);
  });

  it('shows a CVE: affected, fixed and no-fix devices, per distinct package set', async () => {
    await syncBookworm(); // libssl3 -> openssl comes from the catalog's binaries
    await upload('debian-tracker', fixture('tracker.json'));
    await insertDevices(ctx.db.kysely, [
      { id: 'd-old-1', packages: [{ name: 'libssl3', version: '3.0.14-1~deb12u2' }] },
      { id: 'd-old-2', packages: [{ name: 'libssl3', version: '3.0.14-1~deb12u2' }] },
      {
        id: 'd-new',
        packages: [
          { name: 'libssl3', version: '3.0.15-1~deb12u1' },
          { name: 'openssl', version: '3.0.15-1~deb12u1' },
        ],
      },
      {
        id: 'd-mixed',
        packages: [
          { name: 'libssl3', version: '3.0.16-1~deb12u1' },
          { name: 'openssl', version: '3.0.11-1~deb12u2' },
        ],
      },
      { id: 'd-none', packages: [{ name: 'tzdata', version: '2024a-0+deb12u1' }] },
      { id: 'd-plain', packages: [{ name: 'openssl', version: '1.1.1x-1' }] },
    ]);
    // A device whose inventory names its release reads that release's fixed version (bullseye's
    // 1.1.1w-0+deb11u2 here; the cautious fallback would have compared it with bookworm's).
    await ctx.db.kysely
      .updateTable('device')
      .set({ os_name: 'Debian GNU/Linux', os_version: '11 (bullseye)' })
      .where('id', '=', 'd-plain')
      .execute();
    const view = await advisories.getCve(ANALYST, 'cve-2024-5535', {});
    expect(view).toMatchObject({
      id: 'CVE-2024-5535',
      description: 'SSL_select_next_proto buffer overread',
      severity: 'high',
      counts: { affected: 3, fixed: 2, noFix: 0 },
    });
    const state = Object.fromEntries(view.devices.map((d) => [d.deviceId, d.state]));
    expect(state).toEqual({
      'd-old-1': 'affected',
      'd-old-2': 'affected',
      'd-new': 'fixed',
      'd-mixed': 'affected',
      'd-plain': 'fixed',
    });
    expect(view.devices.find((d) => d.deviceId === 'd-mixed')).toMatchObject({
      binary: 'openssl',
      installedVersion: '3.0.11-1~deb12u2',
      sourcePackage: 'openssl',
      fixedVersion: '3.0.15-1~deb12u1',
    });
    expect(view.updates.map((u) => u.version)).toEqual(['3.0.15-1~deb12u1']);
    expect(
      (await advisories.getCve(ADMIN, 'CVE-2024-5535', { state: 'fixed' })).devices.map(
        (d) => d.deviceId,
      ),
    ).toEqual(['d-new', 'd-plain']);

    // The tracker's open issue: every holder of an openssl binary is affected with no fix.
    const open = await advisories.getCve(ADMIN, 'CVE-2024-13176', {});
    // d-plain runs bullseye, which the open issue does not name.
    expect(open.counts).toEqual({ affected: 0, fixed: 0, noFix: 4 });
    expect(open.packages).toEqual([
      expect.objectContaining({
        release: 'bookworm',
        package: 'openssl',
        status: 'open',
        fixedVersion: null,
      }),
    ]);
    // Never affected in bookworm (fixed version 0).
    expect((await advisories.getCve(ADMIN, 'CVE-2022-2274', {})).counts).toEqual({
      affected: 0,
      fixed: 4,
      noFix: 0,
    });
    expect((await refused(advisories.getCve(ADMIN, 'CVE-1999-0001', {})))?.code).toBe(
      'CVE_NOT_FOUND',
    );
  });

  it('expires superseded updates by the site rule, keeping them in history', async () => {
    const settings = new SiteSettingsService(ctx);
    await settings.start();
    try {
      await syncBookworm();
      const superseded = await catalog.listUpdates(ADMIN, { state: 'superseded' });
      expect(superseded.items.map((u) => `${u.package} ${u.version}`)).toEqual([
        'openssl 3.0.14-1~deb12u2',
      ]);
      const old = superseded.items[0];
      // Default: 90 days after it was superseded.
      expect(old?.expired).toBe(false);
      expect(Date.parse(old?.expiresAt ?? '') - Date.parse(old?.supersededAt ?? '')).toBe(
        90 * 86_400_000,
      );
      expect((await catalog.listUpdates(ADMIN, { state: 'expired' })).total).toBe(0);
      clock.advanceMinutes(90 * 24 * 60);
      expect(
        (await catalog.listUpdates(ADMIN, { state: 'expired' })).items.map((u) => u.version),
      ).toEqual(['3.0.14-1~deb12u2']);
      // Never: nothing expires, and nothing says when.
      await settings.update(ADMIN, { expireSupersededUpdates: false });
      expect((await catalog.listUpdates(ADMIN, { state: 'expired' })).total).toBe(0);
      expect(
        (await catalog.listUpdates(ADMIN, { state: 'superseded' })).items[0]?.expiresAt,
      ).toBeNull();
      // Immediately.
      await settings.update(ADMIN, {
        expireSupersededUpdates: true,
        supersededUpdateExpiryDays: 0,
      });
      const now = (await catalog.listUpdates(ADMIN, { state: 'superseded' })).items[0];
      expect(now?.expired).toBe(true);
      expect(now?.expiresAt).toBe(now?.supersededAt);
      // Expired updates stay in the catalog's history.
      expect((await catalog.listUpdates(ADMIN, {})).total).toBe(3);
      expect((await catalog.listUpdates(ADMIN, { state: 'current' })).total).toBe(2);
    } finally {
      await settings.update(ADMIN, settingsDefaults(SiteSettingsOptions));
      settings.stop();
    }
  });
});
