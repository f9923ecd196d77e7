/**
 * Discovered machines join collections by rule (issue 9, ADR 0038): by subnet or range, by
 * host-name pattern and by guessed OS, evaluated whenever the members are read, so a sweep's new
 * results count at once. A real sweep (TCP port 22, names from /etc/hosts only) finds TCP
 * listeners that send SSH banners on loopback addresses of a random 127.x.y.0/29, and
 * 127.0.0.1 ("localhost" in /etc/hosts). Every address is on this machine's loopback.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, type DiscoveredMemberRule } from '@steward/protocol';
import {
  STEWARD,
  createTestSite,
  exec,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { postgresReachable } from './support/db.js';

const DEBIAN = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3';
const UBUNTU = 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6';

/** A TCP listener that sends an SSH banner, as sshd does before anything else. */
function bannerServer(address: string, port: number, banner: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(`${banner}\r\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}

const dialects: TestDialect[] = ['sqlite', 'postgres'];

describe.each(dialects)('discovered members by rule (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let prefix = '';
  let base = 0;
  let subnet = '';
  let localPort = 0;
  const servers: Server[] = [];
  let skip = false;

  const steward = (args: string[]) =>
    exec(STEWARD, args, {
      env: {
        STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      },
    });
  const at = (i: number) => `${prefix}.${base + i}`;

  async function sweep(): Promise<void> {
    const s = await site.api.call(ops.discovery.startSweep, {
      body: { subnets: [subnet, '127.0.0.1/32'], ports: [22, localPort], icmp: false },
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
  const members = async (collectionId: string) =>
    (
      await site.api.call(ops.discovery.listCollectionMembers, { params: { id: collectionId } })
    ).map((m) => m.address);
  const addRule = (collectionId: string, kind: DiscoveredMemberRule['kind'], value: string) =>
    site.api.call(ops.discovery.addCollectionRule, {
      params: { id: collectionId },
      body: { kind, value },
    });

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresReachable())) {
      skip = true;
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'steward-disc-rules-'));
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    await site.api.call(ops.discovery.updateSettings, { body: { nameLookup: 'hosts-file' } });
    base = 8 * randomInt(1, 31);
    prefix = `127.${randomInt(1, 250)}.${randomInt(1, 250)}`;
    subnet = `${prefix}.${base}/29`;
    servers.push(await bannerServer(at(2), 22, DEBIAN));
    servers.push(await bannerServer(at(3), 22, UBUNTU));
    servers.push(await bannerServer(at(5), 22, DEBIAN));
    // 127.0.0.1 is "localhost" in /etc/hosts: open on a port of its own (22 may be taken).
    const local = await bannerServer('127.0.0.1', 0, DEBIAN);
    servers.push(local);
    const addr = local.address();
    localPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
    await sweep();
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    if (site) await site.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the sweep found the listeners, with their guessed OS and /etc/hosts names', async () => {
    if (skip) return;
    const found = await site.api.call(ops.discovery.listMachines, { query: { limit: 100 } });
    const byAddress = new Map(found.items.map((m) => [m.address, m]));
    expect(byAddress.get(at(3))?.osGuess).toBe('Ubuntu 22.04');
    expect(byAddress.get(at(2))?.osGuess).toMatch(/Debian/);
    expect(byAddress.get('127.0.0.1')?.dnsName).toBe('localhost');
  });

  it('includes machines by subnet, and a sweep finding a new one adds it without a change', async () => {
    if (skip) return;
    const col = await site.api.call(ops.collections.create, {
      body: { name: `by subnet ${dialect}`, rules: [] },
    });
    // base..base+3: the listeners on +2 and +3, not +5.
    const rule = await addRule(col.id, 'subnet', `${prefix}.${base + 1}/30`);
    expect(rule).toMatchObject({ kind: 'subnet', value: `${prefix}.${base}/30`, matches: 2 });
    expect(await members(col.id)).toEqual([at(2), at(3)]);
    // A range works the same way.
    const range = await addRule(col.id, 'subnet', `${at(5)}-${at(6)}`);
    expect(range.matches).toBe(1);
    expect(await members(col.id)).toEqual([at(2), at(3), at(5)]);
    await site.api.call(ops.discovery.removeCollectionRule, {
      params: { id: col.id, ruleId: range.id },
    });
    expect(await members(col.id)).toEqual([at(2), at(3)]);

    // Discovery results change: a machine appears at +1; the rule includes it as it is.
    servers.push(await bannerServer(at(1), 22, UBUNTU));
    await sweep();
    expect(await members(col.id)).toEqual([at(1), at(2), at(3)]);
    const audit = await site.api.listAudit({ targetType: 'collection', targetId: col.id });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'collection.discovered-rules.add',
        'collection.discovered-rules.remove',
      ]),
    );
  }, 120_000);

  it('includes machines by guessed OS and by host-name pattern, beside those by address', async () => {
    if (skip) return;
    const col = await site.api.call(ops.collections.create, {
      body: { name: `by os and name ${dialect}`, rules: [] },
    });
    const os = await addRule(col.id, 'os', 'ubuntu 22');
    expect(os.matches).toBe(2);
    const name = await addRule(col.id, 'host-name', 'LOCAL*');
    expect(name).toMatchObject({ value: 'local*', matches: 1 });
    await site.api.call(ops.discovery.addCollectionMembers, {
      params: { id: col.id },
      body: { addresses: [at(5)] },
    });
    expect((await members(col.id)).sort()).toEqual(['127.0.0.1', at(1), at(3), at(5)].sort());
    // `?` is exactly one character: "local?" does not match "localhost".
    const literal = await addRule(col.id, 'host-name', 'local?');
    expect(literal.matches).toBe(0);

    // The CLI lists the rules and refuses a subnet that is no CIDR with the stable code.
    const listed = await steward(['collection', 'discovered', 'rule', 'list', col.name, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const rules: unknown = JSON.parse(listed.stdout);
    expect(Array.isArray(rules) && rules.length).toBe(3);
    const bad = await steward([
      'collection',
      'discovered',
      'rule',
      'add',
      col.name,
      'subnet',
      '10.0.0.0/33',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('DISCOVERED_RULE_INVALID');
    const missing = await site.api
      .call(ops.discovery.removeCollectionRule, { params: { id: col.id, ruleId: 'no-such' } })
      .catch((e: unknown) => e);
    expect(missing instanceof ApiError && missing.code).toBe('DISCOVERED_RULE_NOT_FOUND');
  }, 120_000);

  it('says how each machine is included, and Remove applies only to inclusions by address', async () => {
    if (skip) return;
    const col = await site.api.call(ops.collections.create, {
      body: { name: `remove by rule ${dialect}`, rules: [] },
    });
    const rule = await addRule(col.id, 'subnet', `${at(2)}-${at(3)}`);
    await site.api.call(ops.discovery.addCollectionMembers, {
      params: { id: col.id },
      body: { addresses: [at(3), at(5)] },
    });
    const how = async () =>
      Object.fromEntries(
        (await site.api.call(ops.discovery.listCollectionMembers, { params: { id: col.id } })).map(
          (m) => [m.address, { byAddress: m.byAddress, byRules: m.byRules }],
        ),
      );
    expect(await how()).toEqual({
      [at(2)]: { byAddress: false, byRules: [rule.id] },
      [at(3)]: { byAddress: true, byRules: [rule.id] },
      [at(5)]: { byAddress: true, byRules: [] },
    });
    // Included only by the rule: refused with the code that says so, and nothing changes.
    const refused = await site.api
      .call(ops.discovery.removeCollectionMember, { params: { id: col.id, address: at(2) } })
      .catch((e: unknown) => e);
    expect(refused instanceof ApiError && refused.code).toBe('DISCOVERY_MEMBER_INCLUDED_BY_RULE');
    expect(refused instanceof ApiError && refused.status).toBe(409);
    // Included both ways: removing the address leaves the rule's inclusion.
    await site.api.call(ops.discovery.removeCollectionMember, {
      params: { id: col.id, address: at(3) },
    });
    expect(await how()).toEqual({
      [at(2)]: { byAddress: false, byRules: [rule.id] },
      [at(3)]: { byAddress: false, byRules: [rule.id] },
      [at(5)]: { byAddress: true, byRules: [] },
    });
    // Neither: the address is no member at all.
    const none = await site.api
      .call(ops.discovery.removeCollectionMember, { params: { id: col.id, address: at(6) } })
      .catch((e: unknown) => e);
    expect(none instanceof ApiError && none.code).toBe('DISCOVERY_MACHINE_NOT_FOUND');
    // The CLI shows how each is included.
    const listed = await steward(['collection', 'discovered', 'list', col.name]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('INCLUDED BY');
    const line = listed.stdout.split('\n').find((l) => l.startsWith(`${at(5)} `));
    expect(line).toContain('address');
  }, 120_000);
});
