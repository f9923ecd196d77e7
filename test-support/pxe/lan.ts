/**
 * A private PXE network for tests (issue 11): two network namespaces this test creates and always
 * deletes. "lan" holds a bridge, the network's real DHCP server (Debian's dnsmasq, DHCP only,
 * `--port=0`) and the VMs' taps; "dp" holds the distribution point's PXE responder, joined to
 * the bridge by a veth pair. The ProxyDHCP answers beside dnsmasq as on a branch network, and no
 * packet can leave: neither namespace has a route out, nor a link to this machine's own network.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../site.js';

export function pxeLanUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, taps, ports 67/69/4011)';
  const need = [
    ['/usr/sbin/ip', 'iproute2'],
    ['/usr/sbin/dnsmasq', 'dnsmasq-base'],
    ['/usr/bin/qemu-system-x86_64', 'qemu-system-x86'],
    ['/usr/lib/ipxe/undionly.kpxe', 'ipxe'],
    ['/usr/share/OVMF/OVMF_CODE_4M.fd', 'ovmf'],
    ['/usr/bin/setpriv', 'util-linux'],
  ].filter(([path]) => !existsSync(path ?? ''));
  if (need.length)
    return `missing ${need.map(([, pkg]) => pkg).join(', ')} (.ci/run installs them)`;
  return undefined;
}

export interface PxeLan {
  lanNs: string;
  dpNs: string;
  /** The DP's address on the LAN (ProxyDHCP server id, TFTP and HTTP). */
  dpAddress: string;
  /** The first three octets, e.g. 10.253.17 */
  prefix: string;
  dir: string;
  /** dnsmasq's log: its DHCPACK lines say which address it leased to which MAC. */
  dhcpLog(): string;
  /** A tap on the bridge for one VM. */
  addTap(): string;
  /** Starts a process in a namespace; killed by dispose() (and by the kernel if the test dies). */
  spawnIn(ns: string, cmd: string, args: string[], logName: string): ChildProcess;
  dispose(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

function tryRun(f: () => unknown): void {
  try {
    f();
  } catch {
    // Already gone (or never made).
  }
}

export async function createPxeLan(): Promise<PxeLan> {
  const tag = String(process.pid % 100_000);
  const lanNs = `stw-pxe-lan-${tag}`;
  const dpNs = `stw-pxe-dp-${tag}`;
  // 10.253.X.0/24 from the pid; the bridge is .1 (and dnsmasq), the DP .2, leases .100-.150.
  const prefix = `10.253.${String(process.pid % 250)}`;
  const dir = mkdtempSync(join(tmpdir(), 'steward-pxe-lan-'));
  const children: ChildProcess[] = [];
  let taps = 0;
  const dispose = () => {
    for (const c of children) c.kill('SIGKILL');
    tryRun(() => ip('netns', 'del', dpNs));
    tryRun(() => ip('netns', 'del', lanNs));
    // STEWARD_PXE_KEEP_LOGS=1 keeps dnsmasq's, the DP's and the consoles' logs for a post-mortem.
    if (process.env.STEWARD_PXE_KEEP_LOGS === '1') console.log(`PXE LAN logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  const spawnIn = (ns: string, cmd: string, args: string[], logName: string) => {
    const out = openSync(join(dir, logName), 'a');
    // setpriv --pdeathsig: the kernel kills it if this test process dies without clean-up;
    // `ip netns exec` execs the command, so the signal setting carries over.
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', 'ip', 'netns', 'exec', ns, cmd, ...args],
      {
        stdio: ['ignore', out, out],
      },
    );
    children.push(child);
    return child;
  };
  try {
    ip('netns', 'add', lanNs);
    ip('netns', 'add', dpNs);
    ip('-n', lanNs, 'link', 'set', 'lo', 'up');
    ip('-n', dpNs, 'link', 'set', 'lo', 'up');
    ip('-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', lanNs, 'addr', 'add', `${prefix}.1/24`, 'dev', 'br0');
    ip('-n', lanNs, 'link', 'set', 'br0', 'up');
    ip('-n', lanNs, 'link', 'add', 'to-dp', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', dpNs);
    ip('-n', lanNs, 'link', 'set', 'to-dp', 'master', 'br0', 'up');
    ip('-n', dpNs, 'addr', 'add', `${prefix}.2/24`, 'dev', 'eth0');
    ip('-n', dpNs, 'link', 'set', 'eth0', 'up');
    // As on a real DP, a default route: the ProxyDHCP's offers go to 255.255.255.255, which the
    // kernel sends out of the route's interface. It leads nowhere: the LAN namespace routes
    // nothing further.
    ip('-n', dpNs, 'route', 'add', 'default', 'via', `${prefix}.1`, 'dev', 'eth0');
    const dnsmasq = spawnIn(
      lanNs,
      'dnsmasq',
      [
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--port=0',
        '--interface=br0',
        '--bind-interfaces',
        `--dhcp-range=${prefix}.100,${prefix}.150,255.255.255.0,10m`,
        '--dhcp-leasefile=/dev/null',
        '--leasefile-ro',
        '--no-resolv',
        '--no-hosts',
        '--log-dhcp',
        '--log-facility=-',
        `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      ],
      'dnsmasq.log',
    );
    await waitFor(
      'dnsmasq to start',
      () => {
        if (dnsmasq.exitCode !== null)
          throw new Error(`dnsmasq exited: ${readFileSync(join(dir, 'dnsmasq.log'), 'utf8')}`);
        return /started|DHCP, IP range/.test(readFileSync(join(dir, 'dnsmasq.log'), 'utf8'));
      },
      20_000,
      50,
    );
  } catch (err) {
    dispose();
    throw err;
  }
  return {
    lanNs,
    dpNs,
    dpAddress: `${prefix}.2`,
    prefix,
    dir,
    dhcpLog: () => readFileSync(join(dir, 'dnsmasq.log'), 'utf8'),
    addTap() {
      const name = `tap${String(taps++)}`;
      ip('-n', lanNs, 'tuntap', 'add', 'dev', name, 'mode', 'tap');
      ip('-n', lanNs, 'link', 'set', name, 'master', 'br0', 'up');
      return name;
    },
    spawnIn,
    dispose,
  };
}

export function namespacesLeft(lan: PxeLan): string[] {
  const list = ip('netns', 'list');
  return [lan.lanNs, lan.dpNs].filter((ns) => list.includes(ns));
}
