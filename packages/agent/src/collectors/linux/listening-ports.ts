import { readdirSync, readlinkSync } from 'node:fs';
import type { InventoryInstance } from '@steward/protocol';
import { readText, readTextSync } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { parsePasswd } from './accounts.js';
import { rootOf, under } from './sysfs.js';

export interface ProcNetSocket {
  protocol: 'tcp' | 'udp';
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
  uid: number;
  inode: number;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** /proc/net addresses are the kernel's 32-bit words printed in host order (little-endian here). */
function wordBytes(hex: string): number[] {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function decodeProcNetAddress(hex: string): string | null {
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  // IPv4-mapped (::ffff:a.b.c.d) reads better in its dotted form.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * Sockets that wait for peers: TCP in LISTEN, UDP bound and not connected (no remote port).
 * Ports shared with SO_REUSEPORT appear once per socket; the caller merges them.
 */
export function parseProcNet(
  text: string,
  protocol: 'tcp' | 'udp',
  family: 'ipv4' | 'ipv6',
): ProcNetSocket[] {
  const out: ProcNetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [local, remote, state, uid, inode] = [f[1], f[2], f[3], f[7], f[9]];
    if (local === undefined || remote === undefined || inode === undefined) continue;
    if (protocol === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED) continue;
    const [addrHex, portHex] = local.split(':');
    const remotePort = remote.split(':')[1];
    if (protocol === 'udp' && remotePort !== '0000') continue;
    const address = addrHex === undefined ? null : decodeProcNetAddress(addrHex);
    if (address === null || portHex === undefined) continue;
    out.push({
      protocol,
      family,
      address,
      port: Number.parseInt(portHex, 16),
      uid: Number(uid),
      inode: Number(inode),
    });
  }
  return out;
}

export interface SocketOwner {
  pid: number;
  process: string | null;
  command: string | null;
}

const MAX_COMMAND = 512;

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/**
 * Socket inode -> owning process, from the `socket:[inode]` links in /proc/<pid>/fd. Only the
 * wanted inodes are kept. A non-root agent sees only its own user's processes: the others are
 * counted in `hidden` so the reason can be recorded. Synchronous (see system.ts): one readlink
 * per descriptor of every process, thousands on a busy machine.
 */
export function socketOwners(
  root: string,
  wanted: ReadonlySet<number>,
): Promise<{ owners: Map<number, SocketOwner>; hidden: number }> {
  const owners = new Map<number, SocketOwner>();
  let hidden = 0;
  const proc = under(root, '/proc');
  let entries: string[] = [];
  try {
    entries = readdirSync(proc);
  } catch {
    // no /proc: nothing owns anything
  }
  const pids = entries.filter((n) => /^\d+$/.test(n));
  for (const pid of pids) {
    if (owners.size === wanted.size) break;
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      hidden++;
      continue;
    }
    let found: number[] | undefined;
    for (const fd of fds) {
      const target = readlinkOrEmpty(`${proc}/${pid}/fd/${fd}`);
      if (!target.startsWith('socket:[')) continue;
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m?.[1] === undefined) continue;
      const inode = Number(m[1]);
      if (wanted.has(inode) && !owners.has(inode)) (found ??= []).push(inode);
    }
    if (found === undefined) continue;
    const comm = readTextSync(`${proc}/${pid}/comm`)?.trim() || null;
    const cmdline = readTextSync(`${proc}/${pid}/cmdline`)?.split('\0').join(' ').trim();
    const owner: SocketOwner = {
      pid: Number(pid),
      process: comm,
      command: cmdline ? cmdline.slice(0, MAX_COMMAND) : null,
    };
    for (const inode of found) owners.set(inode, owner);
  }
  return Promise.resolve({ owners, hidden });
}

const TABLES = [
  ['tcp', 'tcp', 'ipv4'],
  ['tcp6', 'tcp', 'ipv6'],
  ['udp', 'udp', 'ipv4'],
  ['udp6', 'udp', 'ipv6'],
] as const;

export const listeningPortCollector: ClassCollector = {
  className: 'listeningPort',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const root = rootOf(ctx);
    const sockets: ProcNetSocket[] = [];
    let readable = 0;
    for (const [file, protocol, family] of TABLES) {
      const text = await readText(under(root, '/proc/net', file));
      if (text === undefined) continue;
      readable++;
      sockets.push(...parseProcNet(text, protocol, family));
    }
    if (readable === 0) throw new Error('/proc/net/{tcp,tcp6,udp,udp6} are not readable');
    const { owners, hidden } = await socketOwners(
      root,
      new Set(sockets.filter((s) => s.inode > 0).map((s) => s.inode)),
    );
    const users = new Map(
      parsePasswd((await readText(under(root, '/etc/passwd'))) ?? '').map((u) => [u.uid, u.name]),
    );
    const seen = new Set<string>();
    const out: InventoryInstance[] = [];
    let unowned = 0;
    for (const s of sockets) {
      const owner = owners.get(s.inode);
      if (owner === undefined) unowned++;
      const key = `${s.protocol}/${s.family}/${s.address}/${s.port}/${owner?.pid ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        protocol: s.protocol,
        family: s.family,
        address: s.address,
        port: s.port,
        pid: owner?.pid ?? null,
        process: owner?.process ?? null,
        command: owner?.command ?? null,
        user: users.get(s.uid) ?? String(s.uid),
      });
    }
    out.sort(
      (a, b) =>
        String(a['protocol']).localeCompare(String(b['protocol'])) ||
        Number(a['port']) - Number(b['port']) ||
        String(a['address']).localeCompare(String(b['address'])),
    );
    if (unowned > 0 && hidden > 0)
      ctx.notePartial?.(
        'listeningPort',
        `the process of ${unowned} sockets is unknown: the descriptors of ${hidden} processes could not be read (${
          process.getuid?.() === 0
            ? 'they exited during the scan or live in another PID namespace'
            : "other users' processes are readable by root only"
        })`,
      );
    return out;
  },
};
