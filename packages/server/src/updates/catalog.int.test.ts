import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AppError,
  armorKeyring,
  debianVersionKey,
  StatusMessages,
  type UpdateSync,
} from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../../test-support/apt-repo.js';
import { waitFor } from '../../../../test-support/site.js';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import { ADMIN, ANALYST, countRows } from '../../test/support/collections.js';
import type { SiteContext } from '../context.js';
import { insertSync } from './repository.js';
import { ensurePackageSet } from '../inventory/package-set-repository.js';
import { currentCatalogVersion, scanCatalogFor } from './compliance/catalog-version-repository.js';
import { UpdateCatalogService } from './service.js';

// The update catalog against real signed apt repositories served on 127.0.0.1 (ADR 0039).
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of catalog.int.test.ts are SKIPPED');

const V1: TestPackage[] = [
  { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
  { name: 'openssl', version: '3.0.15-1~deb12u1' },
  { name: 'tzdata', version: '2024a-0+deb12u1' },
];
const V2: TestPackage[] = [
  { name: 'libssl3', version: '3.0.16-1~deb12u1', source: 'openssl' },
  { name: 'openssl', version: '3.0.16-1~deb12u1' },
  { name: 'tzdata', version: '2024a-0+deb12u1' },
];

let dir: string;
let root: string;
let key: SigningKey;
let stranger: SigningKey;
let http: { url: string; server: Server; requests: string[] };
const armored = (k: SigningKey) => armorKeyring(readFileSync(k.keyringFile));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-catalog-test-'));
  root = join(dir, 'archive');
  key = createSigningKey(dir);
  stranger = createSigningKey(dir, 'Somebody Else');
  http = await serveDirectory(root);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  disposeSigningKey(stranger);
  rmSync(dir, { recursive: true, force: true });
});

describe.each(testDialects)('update catalog on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  const suite = `${dialect}-security`;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    ({ ctx, cleanup } = await createTestContext(dialect));
    catalog = new UpdateCatalogService(ctx);
    writeSuite(root, { suite, packages: V1, key, byHash: true });
  });
  afterEach(async () => {
    await catalog?.stop();
    await cleanup?.();
  });

  const addSource = (keyring = armored(key), s = suite) =>
    catalog.createSource(ADMIN, {
      name: `Local ${s}`,
      url: http.url,
      suite: s,
      components: ['main'],
      architectures: ['amd64'],
      keyring,
    });
  const syncToEnd = async (id: string): Promise<UpdateSync> => {
    await catalog.startSync(ADMIN, id);
    let last: UpdateSync | undefined;
    await waitFor('the sync to end', async () => {
      last = (await catalog.listSyncs(ADMIN, id, {})).items[0];
      return last !== undefined && last.state !== 'running';
    });
    if (!last) throw new Error('no sync');
    return last;
  };

  it('syncs a signed suite into updates, then recognises it unchanged, then supersedes', async () => {
    const source = await addSource();
    expect(source.syncIntervalHours).toBe(168);
    const first = await syncToEnd(source.id);
    expect(first).toMatchObject({ state: 'succeeded', packagesRead: 3, added: 2, indexesDone: 1 });
    const updates = await catalog.listUpdates(ADMIN, { sourceId: source.id });
    expect(updates.items.map((u) => [u.package, u.version, u.classification]).sort()).toEqual([
      ['openssl', '3.0.15-1~deb12u1', 'security'],
      ['tzdata', '2024a-0+deb12u1', 'security'],
    ]);
    const openssl = updates.items.find((u) => u.package === 'openssl');
    expect(openssl?.binaries.map((b) => b.package).sort()).toEqual(['libssl3', 'openssl']);
    // The same binaries as rows, keyed for SQL joins against installed package sets.
    const binaryRows = await ctx.db.kysely
      .selectFrom('software_update_binary')
      .select(['package', 'version', 'version_key'])
      .where('update_id', '=', openssl?.id ?? '')
      .orderBy('package')
      .execute();
    expect(binaryRows).toEqual([
      {
        package: 'libssl3',
        version: '3.0.15-1~deb12u1',
        version_key: debianVersionKey('3.0.15-1~deb12u1'),
      },
      {
        package: 'openssl',
        version: '3.0.15-1~deb12u1',
        version_key: debianVersionKey('3.0.15-1~deb12u1'),
      },
    ]);
    expect((await catalog.getSource(ADMIN, source.id)).signedBy).toBe(key.fingerprint);

    const again = await syncToEnd(source.id);
    expect(again.state).toBe('unchanged');

    writeSuite(root, { suite, packages: V2, key, byHash: true });
    const third = await syncToEnd(source.id);
    expect(third).toMatchObject({ state: 'succeeded', added: 1, superseded: 1 });
    const current = await catalog.listUpdates(ADMIN, { sourceId: source.id, state: 'current' });
    expect(current.items.map((u) => `${u.package} ${u.version}`).sort()).toEqual([
      'openssl 3.0.16-1~deb12u1',
      'tzdata 2024a-0+deb12u1',
    ]);
    const old = await catalog.listUpdates(ADMIN, { search: 'openssl', state: 'superseded' });
    expect(old.items[0]?.supersededBy).toBe(current.items.find((u) => u.package === 'openssl')?.id);
    expect((await catalog.listUpdates(ADMIN, { search: 'libssl' })).total).toBe(2);
  });

  it("dates updates by the archive's Release Date, and counts a revision when a changed index replaces a version's files", async () => {
    const releaseDate = () => {
      const text = readFileSync(join(root, 'dists', suite, 'Release'), 'utf8');
      return new Date(/^Date: (.*)$/m.exec(text)?.[1] ?? '').toISOString();
    };
    const source = await addSource();
    const published = releaseDate();
    expect((await syncToEnd(source.id)).state).toBe('succeeded');
    const tz = async () =>
      (await catalog.listUpdates(ADMIN, { sourceId: source.id, search: 'tzdata' })).items[0];
    expect(await tz()).toMatchObject({ publishedAt: published, revisedAt: null, revision: 0 });
    // The same version rebuilt with other contents: a new .deb, a changed index, same version.
    writeSuite(root, {
      suite,
      packages: [
        ...V1.filter((p) => p.name !== 'tzdata'),
        { name: 'tzdata', version: '2024a-0+deb12u1', postinst: 'true' },
      ],
      key,
      byHash: true,
    });
    const revisedOn = releaseDate();
    expect(await syncToEnd(source.id)).toMatchObject({ state: 'succeeded', added: 0 });
    // Still one update (not a new one), its publish date kept, one revision at the new date.
    expect(await tz()).toMatchObject({
      publishedAt: published,
      revisedAt: revisedOn,
      revision: 1,
    });
    // (The archive folder is shared by this file's cases: other packages may be listed too.)
    expect(
      (await catalog.listUpdates(ADMIN, { sourceId: source.id, search: 'tzdata' })).items.map(
        (u) => u.version,
      ),
    ).toEqual(['2024a-0+deb12u1']);
  });

  it("a revision that adds a binary to a version updates its binary list, applicability and the agents' catalog", async () => {
    const tzVersion = '2024a-0+deb12u1';
    // A device set with an older tzdata-legacy: tzdata's update does not apply to it while the
    // version has no such binary.
    const set = await ctx.db.kysely
      .transaction()
      .execute((tx) =>
        ensurePackageSet(
          tx,
          [{ manager: 'dpkg', name: 'tzdata-legacy', arch: 'amd64', version: '2023c-5' }],
          new Date().toISOString(),
        ),
      );
    const source = await addSource();
    expect((await syncToEnd(source.id)).state).toBe('succeeded');
    const tz = async () =>
      (await catalog.listUpdates(ADMIN, { sourceId: source.id, search: 'tzdata' })).items.find(
        (u) => u.package === 'tzdata',
      );
    const before = await tz();
    expect(before?.binaries.map((b) => b.package)).toEqual(['tzdata']);
    const state = async () =>
      (
        await ctx.db.kysely
          .selectFrom('update_applicability')
          .select('state')
          .where('set_id', '=', set.id)
          .where('update_id', '=', before?.id ?? '')
          .executeTakeFirst()
      )?.state;
    expect(await state()).toBeUndefined();
    const agentsHold = await currentCatalogVersion(ctx.db.kysely);

    // Re-published: the same source version now also builds tzdata-legacy.
    writeSuite(root, {
      suite,
      packages: [...V1, { name: 'tzdata-legacy', version: tzVersion, source: 'tzdata' }],
      key,
      byHash: true,
    });
    expect(await syncToEnd(source.id)).toMatchObject({ state: 'succeeded', added: 0 });
    const after = await tz();
    expect(after).toMatchObject({ id: before?.id, version: tzVersion, revision: 1 });
    expect(after?.binaries.map((b) => b.package).sort()).toEqual(['tzdata', 'tzdata-legacy']);
    const rows = await ctx.db.kysely
      .selectFrom('software_update_binary')
      .select('package')
      .where('update_id', '=', after?.id ?? '')
      .orderBy('package')
      .execute();
    expect(rows.map((r) => r.package)).toEqual(['tzdata', 'tzdata-legacy']);
    // Applicability follows the new list at once (computed in the sync's transaction).
    expect(await state()).toBe('required');
    // An agent holding the catalog of before gets the update again in its delta, with both.
    const delta = await scanCatalogFor(ctx.db.kysely, agentsHold);
    expect(delta.full).toBe(false);
    expect(
      delta.updates
        .find((u) => u.id === after?.id)
        ?.binaries.map((b) => b[0])
        .sort(),
    ).toEqual(['tzdata', 'tzdata-legacy']);
  });

  it('a changed suite downloads only the indexes whose hash changed, and reads the others from its kept copy', async () => {
    const lists = `${dialect}-lists`;
    const contrib = (v: string) => [{ name: 'contrib-tool', version: v }];
    writeSuite(root, {
      suite: lists,
      packages: V1,
      more: [{ component: 'contrib', packages: contrib('1.0-1') }],
      key,
      byHash: true,
    });
    const source = await catalog.createSource(ADMIN, {
      name: `Local ${lists}`,
      url: http.url,
      suite: lists,
      components: ['main', 'contrib'],
      architectures: ['amd64'],
      keyring: armored(key),
    });
    const indexRequests = async () => {
      const from = http.requests.length;
      const sync = await syncToEnd(source.id);
      const paths = http.requests
        .slice(from)
        .filter((r) => r.startsWith(`/dists/${lists}/`) && !r.endsWith('Release'));
      return { sync, paths };
    };
    const first = await indexRequests();
    expect(first.sync).toMatchObject({ state: 'succeeded', added: 3, indexesDone: 2 });
    expect(first.paths.map((r) => r.split('/')[3]).sort()).toEqual(['contrib', 'main']);

    // Only contrib changes; the Release (and so its signature) changes with it.
    writeSuite(root, {
      suite: lists,
      packages: V1,
      more: [{ component: 'contrib', packages: contrib('1.0-2') }],
      key,
      byHash: true,
    });
    const second = await indexRequests();
    expect(second.sync).toMatchObject({ state: 'succeeded', added: 1, superseded: 1 });
    // One index downloaded (contrib's, by hash); main's read from the kept copy, not asked for.
    expect(second.paths).toHaveLength(1);
    expect(second.paths[0]).toMatch(
      new RegExp(`^/dists/${lists}/contrib/binary-amd64/by-hash/SHA256/`),
    );
    // Main's packages are still read: its updates stay current, nothing else superseded.
    const current = await catalog.listUpdates(ADMIN, { sourceId: source.id, state: 'current' });
    expect(current.items.map((u) => `${u.package} ${u.version}`).sort()).toEqual([
      'contrib-tool 1.0-2',
      'openssl 3.0.15-1~deb12u1',
      'tzdata 2024a-0+deb12u1',
    ]);
  });

  it('refuses a suite signed by a key outside the source keyring, keeping the catalog', async () => {
    const source = await addSource(armored(stranger));
    const sync = await syncToEnd(source.id);
    expect(sync).toMatchObject({ state: 'failed', failure: 'no-public-key', added: 0 });
    expect(await countRows(ctx.db.kysely, 'software_update')).toBe(0);
    const messages = await ctx.db.kysely
      .selectFrom('status_message')
      .select('message_id')
      .where('message_id', '=', StatusMessages.UPDATE_SYNC_FAILED.id)
      .execute();
    expect(messages).toHaveLength(1);
  });

  it('refuses a keyring that is not an armoured public key, writing nothing', async () => {
    const err = await addSource(
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64!\n-----END PGP PUBLIC KEY BLOCK-----',
    ).catch((e: unknown) => e);
    expect(err instanceof AppError && err.code).toBe('UPDATE_SOURCE_INVALID_KEYRING');
    expect(await countRows(ctx.db.kysely, 'update_source')).toBe(0);
  });

  it('refuses a second sync while one runs, a read-only user, and a duplicate name', async () => {
    const source = await addSource();
    await catalog.startSync(ADMIN, source.id);
    const busy = await catalog.startSync(ADMIN, source.id).catch((e: unknown) => e);
    expect(busy instanceof AppError && busy.code).toBe('UPDATE_SYNC_RUNNING');
    const denied = await catalog.startSync(ANALYST, source.id).catch((e: unknown) => e);
    expect(denied instanceof AppError && denied.code).toBe('FORBIDDEN');
    const dup = await addSource().catch((e: unknown) => e);
    expect(dup instanceof AppError && dup.code).toBe('UPDATE_SOURCE_NAME_TAKEN');
  });

  it('a scheduled pass syncs what is due and fails syncs whose process died', async () => {
    const source = await addSource();
    await catalog.runScheduled();
    await waitFor(
      'the scheduled sync',
      async () => (await catalog.listSyncs(ADMIN, source.id, {})).items[0]?.state === 'succeeded',
    );
    // Not due again within its interval: the next pass starts nothing.
    await catalog.runScheduled();
    expect((await catalog.listSyncs(ADMIN, source.id, {})).total).toBe(1);
    // A sync another process was running, silent for an hour: the pass ends it as interrupted.
    const old = new Date(Date.now() - 3_600_000).toISOString();
    await insertSync(ctx.db.kysely, {
      id: 'sync-of-a-dead-process',
      source_id: source.id,
      state: 'running',
      trigger: 'scheduled',
      requested_by: 'system',
      started_at: old,
      progress_at: old,
    });
    await catalog.runScheduled();
    const dead = (await catalog.listSyncs(ADMIN, source.id, {})).items.find(
      (s) => s.id === 'sync-of-a-dead-process',
    );
    expect(dead).toMatchObject({ state: 'failed', failure: 'interrupted' });
  });
});
