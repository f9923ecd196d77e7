import { reverse } from 'node:dns/promises';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredMachine, Sweep } from '@steward/protocol';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

function listen(address: string, port: number, greeting?: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (greeting !== undefined) socket.end(greeting);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

/** The loopback address whose reverse names include this host's name (/etc/hosts), if any. */
async function ownLoopbackName(): Promise<string | undefined> {
  for (const address of ['127.0.0.1', '127.0.1.1']) {
    const names = await reverse(address).catch(() => []);
    if (names.some((n) => n.toLowerCase().split('.')[0] === hostname().toLowerCase()))
      return address;
  }
  return undefined;
}

/**
 * `steward discovery` against a real site server with one real enrolled agent, sweeping
 * loopback addresses only: 127.0.0.32/28 with an OpenSSH-style listener on 127.0.0.35, and the
 * loopback address that names this host (the agent's device is linked to it).
 */
describe('steward discovery against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  let ssh: Server;
  const steward = (args: string[]) => exec(STEWARD, args, { env });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await steward([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    ssh = await listen('127.0.0.35', 22, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
    site = await createTestSite({ withEnrolledDevices: 1 });
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
      NO_COLOR: '1',
    };
    // Names from /etc/hosts only: the resolver in /etc/resolv.conf is off this machine.
    const r = await exec(STEWARD, ['discovery', 'settings', 'set', '--name-lookup', 'hosts-file'], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await new Promise((r) => ssh?.close(r));
    await site?.stop();
  });

  it('sweeps a loopback subnet, follows it to the end and lists what it found', async () => {
    const sweep = await json<Sweep>([
      'discovery',
      'sweep',
      '--subnet',
      '127.0.0.32/28',
      '--port',
      '22',
      '--no-icmp',
      '--wait',
    ]);
    expect(sweep).toMatchObject({
      state: 'completed',
      total: 16,
      done: 16,
      found: 1,
      icmp: false,
      ports: [22],
    });
    const status = await json<Sweep>(['discovery', 'status']);
    expect(status.id).toBe(sweep.id);
    const human = await steward(['discovery', 'status', sweep.id]);
    expect(human.stdout).toContain('16/16 addresses, 1 machine found');
    expect(human.stdout).toMatch(/\[#{30}\]/);

    const list = await json<{ items: DiscoveredMachine[]; total: number }>([
      'discovery',
      'list',
      '--no-agent',
    ]);
    expect(list.items).toEqual([
      expect.objectContaining({
        address: '127.0.0.35',
        openPorts: [22],
        osGuess: 'Debian 12',
        sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
        deviceId: null,
        lastSweepId: sweep.id,
      }),
    ]);
    const table = await steward(['discovery', 'list']);
    expect(table.stdout).toMatch(/127\.0\.0\.35\s.*22\s+Debian 12\s+no/);
  });

  it('links the machine that is the enrolled agent to its device', async () => {
    const address = await ownLoopbackName();
    if (address === undefined) {
      console.warn('no loopback address names this host in /etc/hosts: link by name not tested');
      return;
    }
    const local = await listen(address, 0);
    try {
      const sweep = await json<Sweep>([
        'discovery',
        'sweep',
        '--range',
        `${address}-${address}`,
        '--port',
        String(portOf(local)),
        '--no-icmp',
        '--wait',
      ]);
      expect(sweep.found).toBe(1);
    } finally {
      await new Promise((r) => local.close(r));
    }
    const device = site.devices[0];
    const linked = await json<{ items: DiscoveredMachine[] }>(['discovery', 'list', '--has-agent']);
    expect(linked.items).toEqual([
      expect.objectContaining({ address, deviceId: device?.id, deviceName: device?.name }),
    ]);
  });

  it('refuses a typo that would sweep a /8, and a target that is not a subnet', async () => {
    const big = await steward(['discovery', 'sweep', '--subnet', '10.0.0.0/8']);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain('DISCOVERY_TOO_MANY_ADDRESSES');
    const bad = await steward(['discovery', 'sweep', '--subnet', '127.0.0.0/40']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('DISCOVERY_INVALID_TARGET');
    const sweeps = await site.api.call(
      (await import('@steward/protocol')).ops.discovery.listSweeps,
      { query: {} },
    );
    expect(sweeps.items.every((s) => !s.targets.includes('10.0.0.0/8'))).toBe(true);
  });

  it('shows and changes the declared settings', async () => {
    const s = await json<{ probesPerSecond: number; scheduleEnabled: boolean }>([
      'discovery',
      'settings',
      'set',
      '--probes-per-second',
      '50',
      '--schedule',
    ]);
    expect(s).toMatchObject({
      probesPerSecond: 50,
      scheduleEnabled: true,
      maxAddressesPerSweep: 65_536,
    });
    const shown = await steward(['discovery', 'settings', 'show']);
    expect(shown.stdout).toContain('50 probes/s');
  });
});
