import { isIPv4 } from 'node:net';

/** An inclusive IPv4 range as 32-bit numbers, with the text it is shown as. */
export interface Ipv4Range {
  text: string;
  first: number;
  last: number;
}

export type TargetParse = { ok: true; range: Ipv4Range } | { ok: false; error: string };

export function ipv4ToNumber(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** `10.1.0.0/24` (host bits are cleared: `10.1.0.7/24` is the same subnet). */
export function parseSubnet(value: string): TargetParse {
  const m = /^\s*([0-9.]+)\s*\/\s*(\d{1,2})\s*$/.exec(value);
  const base = m?.[1] === undefined ? undefined : ipv4ToNumber(m[1]);
  const prefix = Number(m?.[2] ?? 'NaN');
  if (base === undefined || !Number.isInteger(prefix) || prefix > 32)
    return { ok: false, error: `"${value}" is not an IPv4 subnet like 10.1.0.0/24` };
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  return {
    ok: true,
    range: { text: `${numberToIpv4(first)}/${prefix}`, first, last: first + size - 1 },
  };
}

/** `10.1.0.10-10.1.0.200`. */
export function parseRange(value: string): TargetParse {
  const m = /^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$/.exec(value);
  const first = m?.[1] === undefined ? undefined : ipv4ToNumber(m[1]);
  const last = m?.[2] === undefined ? undefined : ipv4ToNumber(m[2]);
  if (first === undefined || last === undefined)
    return { ok: false, error: `"${value}" is not an IPv4 range like 10.1.0.10-10.1.0.200` };
  if (first > last) return { ok: false, error: `"${value}" ends before it starts` };
  return {
    ok: true,
    range: { text: `${numberToIpv4(first)}-${numberToIpv4(last)}`, first, last },
  };
}

/** Ranges merged where they overlap or touch, sorted: an address is probed once per sweep. */
export function mergeRanges(ranges: readonly Ipv4Range[]): Ipv4Range[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: Ipv4Range[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) {
      if (r.last > prev.last) out[out.length - 1] = { ...prev, last: r.last };
    } else out.push({ ...r });
  }
  return out;
}

/** Addresses in (merged) ranges. */
export function addressCount(ranges: readonly Ipv4Range[]): number {
  return mergeRanges(ranges).reduce((n, r) => n + (r.last - r.first + 1), 0);
}

/** Every address of the ranges, once each, in order. */
export function* addressesOf(ranges: readonly Ipv4Range[]): Generator<string> {
  for (const r of mergeRanges(ranges))
    for (let n = r.first; n <= r.last; n++) yield numberToIpv4(n);
}

/** 8 hex digits: addresses sort numerically as text. */
export function addressKey(address: string): string {
  return (ipv4ToNumber(address) ?? 0).toString(16).padStart(8, '0');
}

/** The IPv4 ranges of the site's boundaries (IPv6 ones are skipped: a /64 is not swept address by address). */
export function rangesOfBoundaries(
  boundaries: readonly { type: string; value: string }[],
): Ipv4Range[] {
  const ranges: Ipv4Range[] = [];
  for (const b of boundaries) {
    const p = b.type === 'subnet' ? parseSubnet(b.value) : parseRange(b.value);
    if (p.ok) ranges.push(p.range);
  }
  return ranges;
}

/** Whether an IPv4 address lies in one of the ranges. */
export function inRanges(address: string, ranges: readonly Ipv4Range[]): boolean {
  const n = ipv4ToNumber(address);
  return n !== undefined && ranges.some((r) => n >= r.first && n <= r.last);
}
