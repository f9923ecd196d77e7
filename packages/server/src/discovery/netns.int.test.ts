import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/db.js';
import { ADMIN } from '../../test/support/collections.js';
import { waitFor } from '../../../../test-support/site.js';
import type { SiteContext } from '../context.js';
import { DiscoveryService } from './service.js';

/**
 * A sweep over a real (virtual) link: a network namespace this test creates, joined to this
 * machine by a veth pair on a private /30 it picks, with an OpenSSH-style listener inside. ICMP,
 * TCP, the SSH banner and the neighbour table's MAC all cross the link. Traffic never leaves
 * the machine; the namespace and the link are deleted afterwards, whatever happens. Needs root
 * and iproute2 (skipped otherwise).
 */

const canRun =
  process.getuid?.() === 0 && existsSync('/usr/sbin/ip') && existsSync('/usr/bin/ping');
const tag = String(process.pid % 100_000);
const NS = `stw-disc-${tag}`;
const HOST_IF = `sdh${tag}`;
const NS_IF = `sdn${tag}`;
// A /30 in 10.254.0.0/16 from the pid: 10.254.X.Y/30, X and Y derived so runs rarely meet.
const third = (process.pid >> 6) % 256;
const fourth = (process.pid % 64) * 4;
const net = `10.254.${third}.${fourth}`;
const hostAddr = `10.254.${third}.${fourth + 1}`;
const nsAddr = `10.254.${third}.${fourth + 2}`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

let listener: ChildProcess | undefined;
let nsMac = '';

function removeNamespace(): void {
  listener?.kill('SIGKILL');
  try {
    ip('link', 'del', HOST_IF);
  } catch {
    // Gone already (or never made): deleting the namespace removes its end too.
  }
  try {
    ip('netns', 'del', NS);
  } catch {
    // Never made.
  }
}

describe.skipIf(!canRun)('network discovery across a veth link into a namespace', () => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (ip('-4', 'route').includes(`10.254.${third}.`))
      throw new Error(`10.254.${third}.0/24 is routed here already: pick another /30`);
    try {
      ip('netns', 'add', NS);
      ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
      ip('link', 'set', NS_IF, 'netns', NS);
      ip('addr', 'add', `${hostAddr}/30`, 'dev', HOST_IF);
      ip('link', 'set', HOST_IF, 'up');
      ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', NS_IF);
      ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
      ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
      nsMac = ip('netns', 'exec', NS, 'cat', `/sys/class/net/${NS_IF}/address`).trim();
      const script = `require('net').createServer((s) => s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n')).listen(22, '${nsAddr}', () => console.log('listening'))`;
      listener = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        listener?.stdout?.on('data', (b: Buffer) => {
          if (b.toString().includes('listening')) resolve();
        });
        listener?.once('exit', (code) => reject(new Error(`listener exited (${code})`)));
      });
    } catch (err) {
      removeNamespace();
      throw err;
    }
    ({ ctx, cleanup } = await createTestContext('sqlite'));
  });

  afterAll(async () => {
    removeNamespace();
    await cleanup?.();
    expect(ip('netns', 'list')).not.toContain(NS);
  });

  it(`finds the namespace's host by ICMP and TCP, with its banner and MAC`, async () => {
    const service = new DiscoveryService(ctx);
    // No reverse DNS: the resolver in /etc/resolv.conf is off this machine.
    await service.updateSettings(ADMIN, { nameLookup: 'off' });
    const started = await service.startSweep(ADMIN, { subnets: [`${net}/30`], ports: [22] });
    const sweep = await waitFor(
      'the sweep to end',
      async () => {
        const s = await service.getSweep(ADMIN, started.id);
        return s.state === 'running' ? undefined : s;
      },
      60_000,
      50,
    );
    expect(sweep).toMatchObject({ state: 'completed', total: 4, done: 4 });
    const machines = (await service.listMachines(ADMIN, {})).items;
    const inside = machines.find((m) => m.address === nsAddr);
    expect(inside).toMatchObject({
      pingable: true,
      openPorts: [22],
      osGuess: 'Debian 12',
      mac: nsMac,
      deviceId: null,
    });
    // This machine's own end of the link answers ping too; nothing else on the /30 does.
    expect(machines.map((m) => m.address).sort()).toEqual([hostAddr, nsAddr].sort());
    await service.stop();
  });
});
