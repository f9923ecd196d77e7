import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { lookupService } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

/**
 * The probes of one address (ADR 0022). Node has no raw sockets, so the ICMP echo is the system's
 * `ping` (iputils-ping); TCP probes are plain connects; the SSH banner is the first line the
 * server sends on port 22; names come from reverse DNS; MAC addresses from the kernel's
 * neighbour table, which the probes themselves fill for addresses on a local link.
 */

export type TcpAnswer = { open: true; banner: string | null } | { open: false };

const BANNER_MAX = 255;

/**
 * Connects to `port`; open when the connect succeeds. With `readBanner` it waits (within the
 * timeout) for the first line the server sends: an SSH server sends its banner unasked.
 */
export function probeTcp(
  address: string,
  port: number,
  opts: { timeoutMs: number; readBanner: boolean },
): Promise<TcpAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let connected = false;
    let data = '';
    const done = (answer: TcpAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () => done(connected ? { open: true, banner: null } : { open: false }),
      opts.timeoutMs,
    );
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      if (!opts.readBanner) done({ open: true, banner: null });
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const nl = data.indexOf('\n');
      if (nl >= 0 || data.length >= BANNER_MAX)
        done({ open: true, banner: cleanBanner(data.slice(0, nl >= 0 ? nl : BANNER_MAX)) });
    });
    socket.on('end', () =>
      done(connected ? { open: true, banner: cleanBanner(data) } : { open: false }),
    );
    socket.on('error', () =>
      done(connected ? { open: true, banner: cleanBanner(data) } : { open: false }),
    );
  });
}

/** The banner's printable characters, or null when nothing printable was sent. */
export function cleanBanner(text: string): string | null {
  // A banner comes from the network: only printable ASCII is kept.
  const t = text
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, BANNER_MAX);
  return t === '' ? null : t;
}

/** One ICMP echo through the system's `ping`; true when it was answered. */
export function probeIcmp(address: string, timeoutMs: number): Promise<boolean> {
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  return new Promise((resolve) => {
    execFile(
      'ping',
      ['-n', '-q', '-c', '1', '-W', seconds, address],
      { timeout: timeoutMs + 2000 },
      (err) => resolve(err === null),
    );
  });
}

/** Whether the system's `ping` is there (a sweep without it probes TCP only, and says so). */
export function pingAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ping', ['-V'], { timeout: 5000 }, (err) => resolve(err === null));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

/**
 * The address's names, within the timeout; empty when it has none. 'dns': PTR from the system's
 * resolvers, then getnameinfo (which reads /etc/hosts first); 'hosts-file': /etc/hosts only, no
 * packet leaves the machine; 'off': none.
 */
export async function reverseNames(
  address: string,
  o: { timeoutMs: number; lookup: 'dns' | 'hosts-file' | 'off'; hostsFile?: string },
): Promise<string[]> {
  switch (o.lookup) {
    case 'off':
      return [];
    case 'hosts-file':
      return hostsFileNames(
        await readFile(o.hostsFile ?? '/etc/hosts', 'utf8').catch(() => ''),
        address,
      );
    case 'dns': {
      const resolver = new Resolver({ timeout: o.timeoutMs, tries: 1 });
      const ptr = await withTimeout(resolver.reverse(address), o.timeoutMs, []);
      if (ptr.length > 0) return ptr;
      const sys = await withTimeout(
        lookupService(address, 0).then((r) => [r.hostname]),
        o.timeoutMs,
        [],
      );
      // getnameinfo answers with the address itself when it knows no name.
      return sys.filter((n) => n !== address);
    }
  }
}

/** The names /etc/hosts gives an address (`127.0.0.1 localhost vm`), in file order. */
export function hostsFileNames(text: string, address: string): string[] {
  const names: string[] = [];
  for (const raw of text.split('\n')) {
    const [ip, ...rest] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    if (ip === address) for (const n of rest) if (n && !names.includes(n)) names.push(n);
  }
  return names;
}

/** `/proc/net/arp` lines: IP, HW type, flags, HW address, mask, device. */
export function parseProcArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac] = line.trim().split(/\s+/);
    // Flags 0x0: an incomplete entry (no answer yet).
    if (ip && mac && flags !== '0x0' && isMac(mac)) out.set(ip, mac.toLowerCase());
  }
  return out;
}

/** `ip neigh` lines: `10.0.0.1 dev eth0 lladdr 02:fc:00:00:00:05 REACHABLE`. */
export function parseIpNeigh(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s.*\blladdr\s+(\S+)/.exec(line.trim());
    if (m?.[1] && m[2] && isMac(m[2]) && !/\bFAILED\b/.test(line))
      out.set(m[1], m[2].toLowerCase());
  }
  return out;
}

function isMac(text: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text) && text !== '00:00:00:00:00:00';
}

/** The kernel's neighbour table (IPv4 address -> MAC), from /proc/net/arp and `ip neigh`. */
export async function neighbourTable(): Promise<Map<string, string>> {
  const arp = await readFile('/proc/net/arp', 'utf8').then(
    parseProcArp,
    () => new Map<string, string>(),
  );
  const neigh = await new Promise<Map<string, string>>((resolve) => {
    execFile('ip', ['-4', 'neigh', 'show'], { timeout: 5000 }, (err, stdout) =>
      resolve(err ? new Map() : parseIpNeigh(stdout)),
    );
  });
  return new Map([...arp, ...neigh]);
}

/**
 * Spaces probes `1000 / perSecond` ms apart across every worker of a sweep: a sweep never
 * sends more than the declared rate, however many addresses it probes at once.
 */
export class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}

  async take(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next);
    this.next = slot + 1000 / this.perSecond;
    const wait = slot - now;
    if (wait <= 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
