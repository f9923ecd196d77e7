import { isIPv4, isIPv6 } from 'node:net';
import type { BoundaryType } from '@steward/protocol';

/**
 * Addresses as 16 bytes (IPv4 mapped into IPv6 as ::ffff:a.b.c.d) and as 32 lower-case hex digits,
 * so that a boundary is a [start_key, end_key] text range and "does this boundary contain the
 * client" is two string comparisons the database can index (ADR 0007), whatever the family.
 */
export interface Address {
  family: 4 | 6;
  bytes: Uint8Array;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Byte `i` of an address; the 16 bytes are all there, so the `?? 0` only satisfies the index type. */
function byteAt(bytes: Uint8Array, i: number): number {
  return bytes[i] ?? 0;
}

/** The 16-bit group of an address that starts at byte `i`. */
function groupAt(bytes: Uint8Array, i: number): number {
  return (byteAt(bytes, i) << 8) | byteAt(bytes, i + 1);
}

function parseV4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.').map(Number);
  return Uint8Array.from([...V4_PREFIX, ...parts]);
}

function parseV6(text: string): Uint8Array | undefined {
  if (!isIPv6(text)) return undefined;
  let body = text.toLowerCase();
  const tail: number[] = [];
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4?.[1]) {
    const b = parseV4(v4[1]);
    if (!b) return undefined;
    tail.push(groupAt(b, 12), groupAt(b, 14));
    body = body.slice(0, -v4[1].length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const [head = '', rest] = body.split('::');
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groupsOf(head);
  const right = [...groupsOf(rest ?? ''), ...tail];
  const missing = 8 - left.length - right.length;
  if (rest === undefined && missing !== 0) return undefined;
  const groups = [...left, ...new Array<number>(Math.max(0, missing)).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function isMappedV4(bytes: Uint8Array): boolean {
  return V4_PREFIX.every((b, i) => bytes[i] === b);
}

/**
 * Parses an IPv4 or IPv6 address. A socket's `::ffff:a.b.c.d` is the IPv4 client it stands for,
 * and a zone (`fe80::1%eth0`) is dropped: boundaries name networks, not interfaces.
 */
export function parseAddress(text: string): Address | undefined {
  const t = text.trim().replace(/%[^%]*$/, '');
  const v4 = parseV4(t);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseV6(t);
  if (!v6) return undefined;
  return { family: isMappedV4(v6) ? 4 : 6, bytes: v6 };
}

export function addressKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Canonical text: dotted IPv4, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatAddress(addr: Address): string {
  const b = addr.bytes;
  if (addr.family === 4) return [12, 13, 14, 15].map((i) => byteAt(b, i)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => groupAt(b, i * 2));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The key of a client address, IPv4-mapped `::ffff:` included; undefined when it is not an address. */
export function clientAddressKey(text: string): string | undefined {
  const addr = parseAddress(text);
  return addr ? addressKey(addr.bytes) : undefined;
}

export interface BoundaryRange {
  /** The value as stored and shown: network address and prefix, or `first-last`, canonical. */
  value: string;
  startKey: string;
  endKey: string;
}

export type BoundaryParse = { ok: true; range: BoundaryRange } | { ok: false; error: string };

function subnet(value: string): BoundaryParse {
  const m = /^([^/\s]+)\s*\/\s*(\d{1,3})$/.exec(value);
  const text = m?.[1];
  const addr = text ? parseAddress(text) : undefined;
  if (!m || !text || !addr)
    return { ok: false, error: `"${value}" is not a subnet like 10.1.0.0/16` };
  const prefix = Number(m[2]);
  // Written as IPv6 (even ::ffff:10.0.0.0/104) the prefix counts 128 bits; written as IPv4, 32
  // bits from bit 96 of the mapped address.
  const family = text.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  if (prefix > max)
    return { ok: false, error: `prefix /${prefix} is longer than ${max} bits in "${value}"` };
  const bits = family === 4 ? 96 + prefix : prefix;
  const start = new Uint8Array(16);
  const end = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    const kept = byteAt(addr.bytes, i) & mask;
    start[i] = kept;
    end[i] = kept | (~mask & 0xff);
  }
  const network = formatAddress({ family, bytes: start });
  return {
    ok: true,
    range: { value: `${network}/${prefix}`, startKey: addressKey(start), endKey: addressKey(end) },
  };
}

function range(value: string): BoundaryParse {
  const m = /^([^\s-]+)\s*-\s*([^\s-]+)$/.exec(value);
  const first = m?.[1] ? parseAddress(m[1]) : undefined;
  const last = m?.[2] ? parseAddress(m[2]) : undefined;
  if (!first || !last)
    return { ok: false, error: `"${value}" is not a range like 10.1.0.10-10.1.0.200` };
  if (first.family !== last.family)
    return { ok: false, error: `"${value}" mixes an IPv4 and an IPv6 address` };
  const startKey = addressKey(first.bytes);
  const endKey = addressKey(last.bytes);
  if (startKey > endKey) return { ok: false, error: `"${value}" ends before it starts` };
  return {
    ok: true,
    range: { value: `${formatAddress(first)}-${formatAddress(last)}`, startKey, endKey },
  };
}

/** Validates a boundary and works out its key range and canonical text. */
export function parseBoundary(type: BoundaryType, value: string): BoundaryParse {
  const t = value.trim();
  switch (type) {
    case 'subnet':
      return subnet(t);
    case 'range':
      return range(t);
  }
}
