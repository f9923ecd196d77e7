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
import { UpdateGroupService } from './group-service.js';

// Update groups over a catalog synced from a real signed apt repository on 127.0.0.1.
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of groups.int.test.ts are SKIPPED');

let dir: string;
let root: string;
let key: SigningKey;
let http: { url: string; server: Server; requests: string[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-update-groups-'));
  root = join(dir, 'archive');
  key = createSigningKey(dir);
  http = await serveDirectory(root);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe.each(testDialects)('update groups on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  let groups: UpdateGroupService;
  let updates: SoftwareUpdate[];
  const suite = `${dialect}-groups`;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    ({ ctx, cleanup } = await createTestContext(dialect));
    catalog = new UpdateCatalogService(ctx);
    groups = new UpdateGroupService(ctx);
    writeSuite(root, {
      suite,
      key,
      packages: [
        { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
        { name: 'openssl', version: '3.0.15-1~deb12u1' },
        { name: 'tzdata', version: '2024a-0+deb12u1' },
      ],
    });
    const source = await catalog.createSource(ADMIN, {
      name: `Local ${suite}`,
      url: http.url,
      suite,
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(key.keyringFile)),
    });
    await catalog.startSync(ADMIN, source.id);
    await waitFor('the sync to end', async () => {
      const s = (await catalog.listSyncs(ADMIN, source.id, {})).items[0];
      return s !== undefined && s.state !== 'running';
    });
    updates = (await catalog.listUpdates(ADMIN, { sourceId: source.id })).items;
    expect(updates).toHaveLength(2);
  });
  afterEach(async () => {
    await catalog?.stop();
    await cleanup?.();
  });

  const idOf = (pkg: string) => updates.find((u) => u.package === pkg)?.id ?? '';

  it('creates a group with updates, adds, removes one while the others stay, renames, deletes', async () => {
    const g = await groups.createGroup(ADMIN, {
      name: 'December security',
      updateIds: [idOf('openssl')],
    });
    expect(g).toMatchObject({ name: 'December security', description: '', createdBy: 'alice' });
    expect(g.updateIds).toEqual([idOf('openssl')]);
    // Adding one already there keeps it once, in its place.
    const added = await groups.addUpdates(ADMIN, g.id, [idOf('openssl'), idOf('tzdata')]);
    expect(added.updateIds).toEqual([idOf('openssl'), idOf('tzdata')]);
    const removed = await groups.removeUpdate(ADMIN, 'December security', idOf('openssl'));
    expect(removed.updateIds).toEqual([idOf('tzdata')]);
    const renamed = await groups.updateGroup(ADMIN, g.id, { name: 'Patch Tuesday' });
    expect(renamed.name).toBe('Patch Tuesday');
    expect((await groups.listGroups(ANALYST)).items.map((x) => x.name)).toEqual(['Patch Tuesday']);
    await groups.deleteGroup(ADMIN, g.id);
    expect(await countRows(ctx.db.kysely, 'update_group')).toBe(0);
    expect(await countRows(ctx.db.kysely, 'update_group_member')).toBe(0);
    // The updates stay in the catalog.
    expect(await countRows(ctx.db.kysely, 'software_update')).toBe(2);
  });

  it('refuses unknown updates, taken names, missing members and read-only callers, writing nothing', async () => {
    expect(await codeOf(groups.createGroup(ADMIN, { name: 'x', updateIds: ['nope'] }))).toBe(
      'UPDATE_GROUP_UPDATE_NOT_FOUND',
    );
    expect(await countRows(ctx.db.kysely, 'update_group')).toBe(0);
    const g = await groups.createGroup(ADMIN, { name: 'g', updateIds: [idOf('tzdata')] });
    expect(await codeOf(groups.createGroup(ADMIN, { name: 'g' }))).toBe('UPDATE_GROUP_NAME_TAKEN');
    expect(await codeOf(groups.addUpdates(ADMIN, g.id, [idOf('openssl'), 'nope']))).toBe(
      'UPDATE_GROUP_UPDATE_NOT_FOUND',
    );
    expect((await groups.getGroup(ADMIN, g.id)).updateIds).toEqual([idOf('tzdata')]);
    expect(await codeOf(groups.removeUpdate(ADMIN, g.id, idOf('openssl')))).toBe(
      'UPDATE_GROUP_MEMBER_NOT_FOUND',
    );
    expect(await codeOf(groups.getGroup(ADMIN, 'missing'))).toBe('UPDATE_GROUP_NOT_FOUND');
    expect(await codeOf(groups.addUpdates(ANALYST, g.id, [idOf('openssl')]))).toBe('FORBIDDEN');
    expect(await countRows(ctx.db.kysely, 'update_group_member')).toBe(1);
  });

  it('drops a member with its update when the source is deleted', async () => {
    await groups.createGroup(ADMIN, { name: 'g', updateIds: [idOf('tzdata'), idOf('openssl')] });
    await catalog.deleteSource(ADMIN, updates[0]?.sourceId ?? '');
    expect((await groups.getGroup(ADMIN, 'g')).updateIds).toEqual([]);
  });
});
