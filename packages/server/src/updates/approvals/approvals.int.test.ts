import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError, armorKeyring, type SoftwareUpdate } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../../../test-support/apt-repo.js';
import { waitFor } from '../../../../../test-support/site.js';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import { ADMIN, ANALYST, countRows } from '../../../test/support/collections.js';
import type { SiteContext } from '../../context.js';
import { UpdateCatalogService } from '../service.js';
import { UpdateGroupService } from '../deployments/group-service.js';
import { UpdateApprovalService } from './service.js';

// Two real sites (two databases) sync the same local signed repository at different moments:
// the test site approves, exports; production imports, dry run first.
const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL is unreachable: postgres cases of approvals are SKIPPED');

let dir: string;
let root: string;
let key: SigningKey;
let http: { url: string; server: Server; requests: string[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-approvals-'));
  root = join(dir, 'archive');
  key = createSigningKey(dir);
  http = await serveDirectory(root);
}, 60_000);
afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

interface TestSite {
  ctx: SiteContext;
  cleanup: () => Promise<void>;
  catalog: UpdateCatalogService;
  groups: UpdateGroupService;
  approvals: UpdateApprovalService;
}

describe.each(testDialects)('approved-update lists on %s', (dialect) => {
  const sites: TestSite[] = [];
  const suite = `${dialect}-approvals`;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
  });
  afterEach(async () => {
    for (const s of sites.splice(0)) {
      await s.catalog.stop();
      await s.cleanup();
    }
  });

  async function site(): Promise<TestSite> {
    const { ctx, cleanup } = await createTestContext(dialect);
    const s = {
      ctx,
      cleanup,
      catalog: new UpdateCatalogService(ctx),
      groups: new UpdateGroupService(ctx),
      approvals: new UpdateApprovalService(ctx),
    };
    sites.push(s);
    return s;
  }

  /** Adds the local repository as a source (under `url`) and syncs it to the end. */
  async function sync(s: TestSite, name: string, url: string): Promise<SoftwareUpdate[]> {
    const source = await s.catalog.createSource(ADMIN, {
      name,
      url,
      suite,
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(key.keyringFile)),
    });
    await s.catalog.startSync(ADMIN, source.id);
    await waitFor('the sync to end', async () => {
      const r = (await s.catalog.listSyncs(ADMIN, source.id, {})).items[0];
      return r !== undefined && r.state !== 'running';
    });
    return (await s.catalog.listUpdates(ADMIN, { sourceId: source.id })).items;
  }

  it('exports from a test site and imports into production: dry run, matched and not in catalog', async () => {
    // Production synced last week: tzdata's new version is not in its catalog yet.
    writeSuite(root, {
      suite,
      key,
      packages: [
        { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
        { name: 'openssl', version: '3.0.15-1~deb12u1' },
        { name: 'tzdata', version: '2024a-0+deb12u1' },
      ],
    });
    const prod = await site();
    const prodUpdates = await sync(prod, 'Security', `${http.url}/`);
    writeSuite(root, {
      suite,
      key,
      packages: [
        { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
        { name: 'openssl', version: '3.0.15-1~deb12u1' },
        { name: 'tzdata', version: '2024b-0+deb12u1' },
      ],
    });
    const test = await site();
    const testUpdates = await sync(test, 'Debian security (test)', http.url);
    const testId = (pkg: string) => testUpdates.find((u) => u.package === pkg)?.id ?? '';
    await test.groups.createGroup(ADMIN, {
      name: 'December security',
      description: 'approved after a week on the test site',
      updateIds: [testId('openssl'), testId('tzdata')],
    });
    await test.groups.createGroup(ADMIN, { name: 'Not exported', updateIds: [testId('tzdata')] });

    const doc = await test.approvals.exportList(ANALYST, 'December security');
    expect(doc).toMatchObject({ schemaVersion: 1, site: expect.any(String) as string });
    expect(doc.groups).toEqual([
      {
        name: 'December security',
        description: 'approved after a week on the test site',
        updates: [
          {
            kind: 'apt',
            url: http.url,
            suite,
            components: ['main'],
            package: 'openssl',
            version: '3.0.15-1~deb12u1',
          },
          {
            kind: 'apt',
            url: http.url,
            suite,
            components: ['main'],
            package: 'tzdata',
            version: '2024b-0+deb12u1',
          },
        ],
      },
    ]);
    // Through JSON, as the file travels.
    const travelled = JSON.parse(JSON.stringify(doc)) as typeof doc;

    const before = await countRows(prod.ctx.db.kysely, 'audit_log');
    const dry = await prod.approvals.importList(ADMIN, travelled, true);
    const prodOpenssl = prodUpdates.find((u) => u.package === 'openssl')?.id;
    expect(dry).toMatchObject({ dryRun: true, matched: 1, notInCatalog: 1, ambiguous: 0 });
    expect(dry.groups[0]).toMatchObject({
      name: 'December security',
      action: 'create',
      groupId: null,
      added: 1,
    });
    expect(dry.groups[0]?.entries.map((e) => [e.entry.package, e.result, e.updateIds])).toEqual([
      ['openssl', 'matched', [prodOpenssl]],
      ['tzdata', 'not-in-catalog', []],
    ]);
    expect(await countRows(prod.ctx.db.kysely, 'update_group')).toBe(0);
    expect(await countRows(prod.ctx.db.kysely, 'audit_log')).toBe(before);

    const done = await prod.approvals.importList(ADMIN, travelled, false);
    expect(done).toMatchObject({ dryRun: false, matched: 1, notInCatalog: 1 });
    const g = await prod.groups.getGroup(ADMIN, 'December security');
    expect(g.updateIds).toEqual([prodOpenssl]);
    expect(g.description).toBe('approved after a week on the test site');

    // Importing again adds nothing; the group is updated, never emptied.
    const again = await prod.approvals.importList(ADMIN, travelled, false);
    expect(again.groups[0]).toMatchObject({ action: 'update', groupId: g.id, added: 0 });
    expect((await prod.groups.getGroup(ADMIN, g.id)).updateIds).toEqual([prodOpenssl]);

    // A second source reading the same URL and suite makes openssl ambiguous (two sources hold
    // it); that source's sync is of today's repository, so tzdata 2024b is now matched by it.
    await sync(prod, 'Security again', http.url);
    const amb = await prod.approvals.importList(
      ADMIN,
      { ...travelled, groups: [{ ...travelled.groups[0]!, name: 'Other' }] },
      true,
    );
    expect(amb.groups[0]?.entries.map((e) => e.result)).toEqual(['ambiguous', 'matched']);
  });

  it('refuses an unknown group on export, and an import by a read-only user writes nothing', async () => {
    const s = await site();
    await expect(s.approvals.exportList(ADMIN, 'nope')).rejects.toMatchObject({
      code: 'UPDATE_APPROVALS_GROUP_NOT_FOUND',
    });
    const doc = await s.approvals.exportList(ADMIN);
    expect(doc.groups).toEqual([]);
    const err = await s.approvals
      .importList(ANALYST, { ...doc, groups: [{ name: 'x', updates: [] }] }, false)
      .catch((e: unknown) => e);
    expect(err instanceof AppError && err.code).toBe('FORBIDDEN');
    expect(await countRows(s.ctx.db.kysely, 'update_group')).toBe(0);
  });
});
