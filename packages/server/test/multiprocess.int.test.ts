import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '@steward/protocol';
import {
  pgReachable,
  refusedServerStart,
  startServerProcess,
  createTestSite,
  waitFor,
  type ServerHandle,
  type Site,
} from '../../../test-support/site.js';

const hasPg = await pgReachable();
const LEADER_LINE = 'this process runs the scheduled jobs';

function isLeader(dataDir: string): boolean {
  const log = join(dataDir, 'server.log');
  return existsSync(log) && readFileSync(log, 'utf8').includes(LEADER_LINE);
}

describe.skipIf(!hasPg)('two server processes against one PostgreSQL', () => {
  let site: Site;
  let second: ServerHandle;
  const secondDir = () => join(site.dir, 'server-b');
  beforeAll(async () => {
    site = await createTestSite({ dialect: 'postgres', withEnrolledDevices: 1 });
    second = await startServerProcess({
      dataDir: secondDir(),
      dbUrl: site.dbUrl ?? '',
      password: site.adminPassword,
      // Every process of a site opens the site's keys with the same master key.
      env: { STEWARD_MASTER_KEY_FILE: join(site.dir, 'server', 'master.key') },
    });
  });
  afterAll(async () => {
    await second?.stop();
    await site?.stop();
  });

  it('delivers a nudge requested on one process through the push connection held by the other', async () => {
    const api = new ApiClient({ baseUrl: second.adminUrl });
    api.setToken((await api.login('admin', site.adminPassword)).token);
    const id = site.devices[0]?.id ?? '';
    await waitFor('agent online', async () => (await api.getDevice(id)).online);
    const req = await api.requestDeviceAction(id, 'inventory:collect');
    const done = await waitFor('completed through the other process', async () =>
      (await api.deviceActions(id)).find((a) => a.id === req.id && a.state === 'completed'),
    );
    expect(done.deliveredAt).not.toBeNull();
  });

  it('refuses to start a process without the master key of the site, making no keys of its own', async () => {
    const dataDir = join(site.dir, 'server-c');
    const r = await refusedServerStart({
      dataDir,
      dbUrl: site.dbUrl ?? '',
      password: site.adminPassword,
    });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/MASTER_KEY: this site's secrets are sealed with master key/);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
  });

  it('runs scheduled jobs in exactly one process and hands over when it stops', async () => {
    const first = join(site.dir, 'server');
    await waitFor('a leader', () => isLeader(first) || isLeader(secondDir()));
    expect([isLeader(first), isLeader(secondDir())].filter(Boolean)).toHaveLength(1);
    expect(isLeader(first)).toBe(true);
    await site.server.stop();
    await waitFor('the second process takes over', () => isLeader(secondDir()), 30_000);
  });
});
