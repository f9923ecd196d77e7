import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovedContent, SoftwareUpdate, UpdateGroup, UpdateSync } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

/**
 * `steward update group ...` against a real site process, over a catalog synced from a signed
 * apt repository on 127.0.0.1: create, add, remove, publish the approved content, with --json.
 */
describe('steward update group against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let key: SigningKey;
  let http: { url: string; server: Server; requests: string[] };
  const steward = (args: string[]) => exec(STEWARD, args, { env });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await steward([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-cli-update-groups-'));
    key = createSigningKey(dir);
    writeSuite(join(dir, 'archive'), {
      suite: 'cli-security',
      key,
      packages: [
        { name: 'hello-upd', version: '1.0-1' },
        { name: 'tzdata', version: '2024a-0+deb12u1' },
      ],
    });
    http = await serveDirectory(join(dir, 'archive'));
    site = await createTestSite();
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'config-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
      NO_COLOR: '1',
    };
  }, 300_000);
  afterAll(async () => {
    await site?.stop();
    await new Promise((r) => http?.server.close(r));
    if (key) disposeSigningKey(key);
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups updates and publishes their approved content', async () => {
    const add = await steward([
      'update',
      'source',
      'add',
      'Local',
      '--url',
      http.url,
      '--suite',
      'cli-security',
      '--keyring',
      key.keyringFile,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const sync = await json<UpdateSync>(['update', 'source', 'sync', 'Local', '--wait']);
    expect(sync.state).toBe('succeeded');
    const updates = (await json<{ items: SoftwareUpdate[] }>(['update', 'list'])).items;
    const id = (pkg: string) => updates.find((u) => u.package === pkg)?.id ?? '';

    const g = await json<UpdateGroup>([
      'update',
      'group',
      'create',
      'Dec',
      '--update',
      id('hello-upd'),
    ]);
    expect(g.updateIds).toEqual([id('hello-upd')]);
    const added = await json<UpdateGroup>(['update', 'group', 'add', 'Dec', id('tzdata')]);
    expect(added.updateIds).toEqual([id('hello-upd'), id('tzdata')]);
    const removed = await json<UpdateGroup>(['update', 'group', 'remove', 'Dec', id('tzdata')]);
    expect(removed.updateIds).toEqual([id('hello-upd')]);

    const published = await json<ApprovedContent>(['update', 'group', 'publish', 'Dec']);
    expect(published).toMatchObject({
      packageName: `updates-${g.id}`,
      versionNumber: 1,
      binaries: 1,
    });
    expect(published.signedBy).toMatch(/^[0-9A-F]{40}$/);

    const bad = await steward(['update', 'group', 'add', 'Dec', 'no-such-update']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('UPDATE_GROUP_UPDATE_NOT_FOUND');
    const list = await steward(['update', 'group', 'list']);
    expect(list.stdout).toMatch(/Dec\s+1/);
  }, 400_000);
});
