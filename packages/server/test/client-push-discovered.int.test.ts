/**
 * Client push to discovered machines (issue 9): a real sweep (nameLookup 'off', TCP port 22
 * only) finds real sshd hosts on loopback addresses of a random 127.x.y.0/29, then a push by
 * address, a push by the discovery filter, and automatic site-wide push over a boundary
 * covering that subnet. Every address is on this machine's loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, type ApiClient, type PushTarget } from '@steward/protocol';
import {
  STEWARD,
  createTestSite,
  exec,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  makeKeyPair,
  startSshHost,
  type SshHost,
  type SshKeyPair,
} from '../../../test-support/sshd-hosts.js';
import { ensureAgentTarball, makeTarballProduction } from '../../../test-support/agent-package.js';
import { postgresReachable } from './support/db.js';

const DONE = ['succeeded', 'failed', 'retry-scheduled', 'skipped-already-client'];

async function finished(api: ApiClient, targetId: string): Promise<PushTarget> {
  return waitFor(
    `target ${targetId} finished`,
    async () => {
      const t = await api.call(ops.clientPush.getTarget, { params: { id: targetId } });
      return DONE.includes(t.state) ? t : undefined;
    },
    150_000,
    200,
  );
}

async function logOf(api: ApiClient, targetId: string): Promise<string> {
  const d = await api.call(ops.clientPush.getTarget, { params: { id: targetId } });
  return d.attemptLog.flatMap((a) => a.log).join('\n');
}

const dialects: TestDialect[] = ['sqlite', 'postgres'];

describe.each(dialects)('client push to discovered machines (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let key: SshKeyPair;
  let subnet: string;
  const hosts: SshHost[] = [];
  let skip = false;
  const haveTarball = ensureAgentTarball() !== undefined;

  const steward = (args: string[]) =>
    exec(STEWARD, ['push', ...args], {
      env: {
        STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      },
    });

  async function sweep(): Promise<void> {
    const s = await site.api.call(ops.discovery.startSweep, {
      body: { subnets: [subnet], ports: [22], icmp: false },
    });
    await waitFor(
      'the sweep to complete',
      async () => {
        const now = await site.api.call(ops.discovery.getSweep, { params: { id: s.id } });
        return now.state === 'running' ? undefined : now;
      },
      60_000,
      200,
    );
  }

  beforeAll(async () => {
    if (!haveTarball || (dialect === 'postgres' && !(await postgresReachable()))) {
      skip = true;
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'steward-push-disc-'));
    key = makeKeyPair(dir, 'push');
    site = await createTestSite({ dialect });
    await makeTarballProduction(site.api);
    await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'root key', user: 'root', privateKey: key.privateKey, serviceMode: 'none' },
    });
    await site.api.call(ops.clientPush.updateSettings, {
      body: { connectTimeoutSeconds: 5, enrolmentTimeoutSeconds: 120 },
    });
    await site.api.call(ops.discovery.updateSettings, { body: { nameLookup: 'off' } });
    // A /29 of loopback addresses nobody else is likely to use: .2, .3 and .4 run sshd on 22.
    const base = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${8 * randomInt(1, 31)}`;
    subnet = `${base}/29`;
    const prefix = base.split('.').slice(0, 3).join('.');
    const last = Number(base.split('.')[3]);
    for (const i of [2, 3, 4])
      hosts.push(
        await startSshHost({
          authorizedKeys: [key.publicKey],
          address: `${prefix}.${last + i}`,
          port: 22,
        }),
      );
    await sweep();
  }, 180_000);

  afterAll(async () => {
    for (const h of hosts) await h.stop();
    if (site) await site.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the sweep found the three sshd hosts, none with an agent', async () => {
    if (skip) return;
    const found = await site.api.call(ops.discovery.listMachines, {
      query: { search: subnet.split('/')[0]?.split('.').slice(0, 3).join('.'), hasAgent: false },
    });
    expect(found.items.map((m) => m.address).sort()).toEqual(hosts.map((h) => h.address).sort());
    expect(found.items.every((m) => m.openPorts.includes(22))).toBe(true);
  });

  it('pushes to discovered machines chosen by address; the machine then has an agent', async () => {
    if (skip) return;
    const [h] = hosts;
    if (!h) throw new Error('no host');
    const job = await site.api.call(ops.clientPush.startJob, {
      body: { account: 'root key', discovered: { addresses: [h.address] } },
    });
    expect(job.source).toBe('discovered');
    expect(job.targets.map((t) => `${t.host}:${t.port}`)).toEqual([`${h.address}:22`]);
    const t = await finished(site.api, job.targets[0]?.id ?? '');
    expect(t.state, await logOf(site.api, t.id)).toBe('succeeded');
    const m = await site.api.call(ops.discovery.listMachines, { query: { search: h.address } });
    expect(m.items[0]?.deviceId).toBe(t.deviceId);
    // A machine with an agent is no longer a push candidate (here through the CLI).
    const again = await steward([
      'start',
      '--account',
      'root key',
      '--discovered-search',
      h.address,
      '--json',
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('PUSH_NO_TARGETS');
  }, 200_000);

  it('a collection includes a discovered machine; a push to the collection targets it', async () => {
    if (skip) return;
    const h = hosts[1];
    if (!h) throw new Error('no host');
    const col = await site.api.call(ops.collections.create, {
      body: { name: `with discovered ${dialect}`, rules: [] },
    });
    const added = await site.api.call(ops.discovery.addCollectionMembers, {
      params: { id: col.id },
      body: { addresses: [h.address] },
    });
    expect(added.map((m) => [m.address, m.deviceId])).toEqual([[h.address, null]]);
    const unknown = await site.api
      .call(ops.discovery.addCollectionMembers, {
        params: { id: col.id },
        body: { addresses: ['127.254.254.253'] },
      })
      .catch((e: unknown) => e);
    expect(unknown instanceof ApiError && unknown.code).toBe('DISCOVERY_MACHINE_NOT_FOUND');
    // The collection has no device members: its only target is the discovered machine.
    const job = await site.api.call(ops.clientPush.startJob, {
      body: { account: 'root key', collection: col.name },
    });
    expect(job.source).toBe('collection');
    expect(job.targets.map((t) => `${t.host}:${t.port}`)).toEqual([`${h.address}:22`]);
    const t = await finished(site.api, job.targets[0]?.id ?? '');
    expect(t.state, await logOf(site.api, t.id)).toBe('succeeded');
    const after = await site.api.call(ops.discovery.listCollectionMembers, {
      params: { id: col.id },
    });
    expect(after[0]?.deviceId).toBe(t.deviceId);
    await site.api.call(ops.discovery.removeCollectionMember, {
      params: { id: col.id, address: h.address },
    });
    expect(
      await site.api.call(ops.discovery.listCollectionMembers, { params: { id: col.id } }),
    ).toEqual([]);
  }, 200_000);

  it('refuses addresses no sweep has found', async () => {
    if (skip) return;
    const err = await site.api
      .call(ops.clientPush.startJob, {
        body: { account: 'root key', discovered: { addresses: ['127.254.254.254'] } },
      })
      .catch((e: unknown) => e);
    expect(err instanceof ApiError && err.code).toBe('PUSH_DISCOVERED_NOT_FOUND');
  });

  it('automatic site-wide push: off by default, then once per machine in the boundaries', async () => {
    if (skip) return;
    const before = await site.api.call(ops.clientPush.getSettings, {});
    expect(before.automaticPush).toBe(false);
    // On without an account is refused.
    const refused = await site.api
      .call(ops.clientPush.updateSettings, { body: { automaticPush: true } })
      .catch((e: unknown) => e);
    expect(refused instanceof ApiError && refused.code).toBe('INVALID_INPUT');
    await site.api.call(ops.boundaries.create, {
      body: { name: 'test loopback', type: 'subnet', value: subnet },
    });
    const set = await steward([
      'settings',
      'set',
      '--automatic-push',
      '--automatic-push-account',
      'root key',
      '--json',
    ]);
    expect(set.code, set.stderr).toBe(0);
    const accounts = await site.api.call(ops.clientPush.listAccounts, {});
    const on = await site.api.call(ops.clientPush.getSettings, {});
    expect(on.automaticPush).toBe(true);
    expect(on.automaticPushAccountId).toBe(accounts.find((a) => a.name === 'root key')?.id);
    // Turning it on runs it: only host 3 gets a target (hosts 1 and 2 were pushed already).
    const jobs = await site.api.call(ops.clientPush.listJobs, {});
    const auto = jobs.filter((j) => j.source === 'automatic');
    expect(auto).toHaveLength(1);
    const detail = await site.api.call(ops.clientPush.getJob, {
      params: { id: auto[0]?.id ?? '' },
    });
    expect(detail.createdBy).toBe('system');
    expect(detail.targets.map((t) => t.host)).toEqual([hosts[2]?.address]);
    for (const t of detail.targets) {
      const done = await finished(site.api, t.id);
      expect(done.state, await logOf(site.api, t.id)).toBe('succeeded');
    }
    // A machine that appears later is pushed after the sweep that finds it; the others are
    // not targeted again (once per machine).
    const [first] = hosts;
    const prefix = (first?.address ?? '').split('.').slice(0, 3).join('.');
    const late = await startSshHost({
      authorizedKeys: [key.publicKey],
      address: `${prefix}.${Number(subnet.split('/')[0]?.split('.')[3]) + 5}`,
      port: 22,
    });
    hosts.push(late);
    await sweep();
    const second = await waitFor('a second automatic job', async () => {
      const all = await site.api.call(ops.clientPush.listJobs, {});
      const a = all.filter((j) => j.source === 'automatic');
      return a.length >= 2 ? a : undefined;
    });
    expect(second).toHaveLength(2);
    const newest = second.find((j) => j.id !== auto[0]?.id);
    const d2 = await site.api.call(ops.clientPush.getJob, { params: { id: newest?.id ?? '' } });
    expect(d2.targets.map((t) => t.host)).toEqual([late.address]);
    const changed = await site.api.call(ops.status.listMessages, { query: { messageId: 51702 } });
    expect(JSON.stringify(changed)).toContain('root key');
  }, 400_000);
});
