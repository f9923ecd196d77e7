/**
 * A private multicast LAN for tests and the benchmark (issue 11, ADR 0088): a namespace for the
 * distribution point holding a bridge, and one namespace per client joined to it by a veth pair;
 * all created here and always deleted. Nothing can leave: no namespace has a route out, nor a
 * link to this machine's network. The DP (and, when asked, each client) reaches the site (on this machine's 127.0.0.1) through
 * a Unix socket: a forwarder in the DP namespace listens on the site's loopback port there, and
 * one in this process carries the bytes to the real port, so the DP's TLS pin and URL are those
 * of a DP beside its site.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function multicastLanUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth pairs, a bridge)';
  const need = [
    ['/usr/sbin/ip', 'iproute2'],
    ['/usr/bin/udp-sender', 'udpcast'],
    ['/usr/bin/udp-receiver', 'udpcast'],
    ['/usr/bin/setpriv', 'util-linux'],
  ].filter(([path]) => !existsSync(path ?? ''));
  if (need.length)
    return `missing ${[...new Set(need.map(([, pkg]) => pkg))].join(', ')} (.ci/run installs them)`;
  return undefined;
}

export interface MulticastLan {
  dpNs: string;
  clientNs: string[];
  /** The DP's address on the bridge. */
  dpAddress: string;
  dir: string;
  /** Starts a process in a namespace; killed by dispose() (and by the kernel if the test dies). */
  spawnIn(
    ns: string,
    cmd: string,
    args: string[],
    logName: string,
    env?: NodeJS.ProcessEnv,
  ): ChildProcess;
  /** Bytes the DP's bridge interface has sent (every frame the DP put on the LAN). */
  dpSentBytes(): number;
  dispose(): Promise<void>;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

function tryRun(f: () => unknown): void {
  try {
    f();
  } catch {
    // Already gone (or never made).
  }
}

/** `clients` namespaces on one bridge with the DP's; `sitePort`: the site's 127.0.0.1 port. */
export async function createMulticastLan(opts: {
  clients: number;
  sitePort: number;
  tag: string;
  /** Clients reach the site too (boot environments register and report there). */
  clientsReachSite?: boolean;
}): Promise<MulticastLan> {
  const tag = `${opts.tag}${String(process.pid % 10_000)}`;
  const dpNs = `stw-mc-dp-${tag}`;
  const clientNs = Array.from({ length: opts.clients }, (_, i) => `stw-mc-c${String(i)}-${tag}`);
  const prefix = `10.252.${String(process.pid % 250)}`;
  const dir = mkdtempSync(join(tmpdir(), 'steward-mc-lan-'));
  const children: ChildProcess[] = [];
  const socketPath = join(dir, 'site.sock');
  let forwarder: Server | undefined;
  const open = new Set<Socket>();
  const dispose = async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of [...clientNs, dpNs]) tryRun(() => ip('netns', 'del', ns));
    // Connections still open (a keep-alive of a killed process) would hold close() forever.
    for (const c of open) c.destroy();
    if (forwarder) await new Promise((r) => forwarder?.close(r));
    if (process.env.STEWARD_MC_KEEP_LOGS === '1') console.log(`multicast LAN logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  const spawnIn = (
    ns: string,
    cmd: string,
    args: string[],
    logName: string,
    env?: NodeJS.ProcessEnv,
  ) => {
    const out = openSync(join(dir, logName), 'a');
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', 'ip', 'netns', 'exec', ns, cmd, ...args],
      {
        stdio: ['ignore', out, out],
        env: { ...process.env, ...env },
      },
    );
    children.push(child);
    return child;
  };
  try {
    ip('netns', 'add', dpNs);
    ip('-n', dpNs, 'link', 'set', 'lo', 'up');
    ip('-n', dpNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', dpNs, 'addr', 'add', `${prefix}.1/24`, 'dev', 'br0');
    ip('-n', dpNs, 'link', 'set', 'br0', 'up');
    clientNs.forEach((ns, i) => {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip(
        '-n',
        dpNs,
        'link',
        'add',
        `c${String(i)}`,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        ns,
      );
      ip('-n', dpNs, 'link', 'set', `c${String(i)}`, 'master', 'br0', 'up');
      ip('-n', ns, 'addr', 'add', `${prefix}.${String(10 + i)}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    });
    forwarder = createServer((inbound) => {
      open.add(inbound);
      inbound.on('close', () => open.delete(inbound));
      const outbound = createConnection({ host: '127.0.0.1', port: opts.sitePort });
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => forwarder?.listen(socketPath, resolve));
    const inside = `const n=require('net');n.createServer(i=>{const o=n.createConnection(${JSON.stringify(socketPath)});i.pipe(o).pipe(i);i.on('error',()=>o.destroy());o.on('error',()=>i.destroy())}).listen(${String(opts.sitePort)},'127.0.0.1',()=>console.log('forwarding'))`;
    const forwarding = [dpNs, ...(opts.clientsReachSite === true ? clientNs : [])];
    for (const [i, ns] of forwarding.entries()) {
      const log = `forwarder${String(i)}.log`;
      spawnIn(ns, process.execPath, ['-e', inside], log);
      for (let n = 0; n < 200; n++) {
        if (
          existsSync(join(dir, log)) &&
          readFileSync(join(dir, log), 'utf8').includes('forwarding')
        )
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    dpNs,
    clientNs,
    dpAddress: `${prefix}.1`,
    dir,
    spawnIn,
    dpSentBytes: () =>
      Number(
        execFileSync('ip', ['netns', 'exec', dpNs, 'cat', '/sys/class/net/br0/statistics/tx_bytes'])
          .toString()
          .trim(),
      ),
    dispose,
  };
}
