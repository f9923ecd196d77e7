import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateComplianceOverview, UpdateSync } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

/**
 * `steward update overview` against a real site process: a catalog synced from a signed apt
 * repository on 127.0.0.1 and two devices whose inventoried packages make one update required
 * on one and another installed on the other.
 */
describe('steward update overview against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let key: SigningKey;
  let http: { url: string; server: Server };
  const steward = (args: string[]) => exec(STEWARD, args, { env });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-cli-update-overview-'));
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
    site = await createTestSite({ withEnrolledDevices: 0 });
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

  it('shows the fleet compliance, as JSON and as text', async () => {
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
    const synced = await steward(['update', 'source', 'sync', 'Local', '--wait', '--json']);
    expect((JSON.parse(synced.stdout) as UpdateSync).state).toBe('succeeded');
    const pkg = (name: string, version: string) =>
      ({ name, version, arch: 'amd64', manager: 'dpkg' }) as const;
    await enrolInventoryDevices(site.api, [
      { hostname: 'needs-hello', classes: {}, packages: [pkg('hello-upd', '0.9-1')] },
      { hostname: 'has-tzdata', classes: {}, packages: [pkg('tzdata', '2024a-0+deb12u1')] },
    ]);

    const r = await steward(['update', 'overview', '--top', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as UpdateComplianceOverview;
    expect(o).toMatchObject({
      devices: 2,
      devicesRequiring: 1,
      currentUpdates: 2,
      installed: 1,
      required: 1,
    });
    expect(o.mostRequired.map((u) => [u.package, u.required])).toEqual([['hello-upd', 1]]);
    expect(o.bySource).toEqual([
      { key: expect.any(String), label: 'Local', updates: 2, installed: 1, required: 1 },
    ]);

    const text = await steward(['update', 'overview']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('1 of 2 devices need updates');
    expect(text.stdout).toMatch(/hello-upd\s+1\.0-1/);
    const bad = await steward(['update', 'overview', '--top', '0']);
    expect(bad.code).not.toBe(0);
  });
});
