import { describe, expect, it } from 'vitest';
import {
  addressCount,
  addressesOf,
  addressKey,
  mergeRanges,
  parseRange,
  parseSubnet,
} from './targets.js';

function ok(r: ReturnType<typeof parseSubnet>) {
  if (!r.ok) throw new Error(r.error);
  return r.range;
}

describe('sweep targets', () => {
  it('parses subnets, clearing host bits', () => {
    expect(ok(parseSubnet('127.0.0.16/28'))).toEqual({
      text: '127.0.0.16/28',
      first: 2130706448,
      last: 2130706463,
    });
    expect(ok(parseSubnet('10.1.2.3/24')).text).toBe('10.1.2.0/24');
    expect(ok(parseSubnet('10.0.0.0/8')).last - ok(parseSubnet('10.0.0.0/8')).first + 1).toBe(
      16_777_216,
    );
    expect(ok(parseSubnet('10.0.0.5/32')).text).toBe('10.0.0.5/32');
  });

  it('refuses what is not an IPv4 subnet or range', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.1.1.1/24', 'fd00::/64', 'x/24', ''])
      expect(parseSubnet(bad).ok, bad).toBe(false);
    for (const bad of ['10.0.0.9-10.0.0.1', '10.0.0.1', '10.0.0.1-fd00::1'])
      expect(parseRange(bad).ok, bad).toBe(false);
  });

  it('counts and lists each address once, overlapping targets merged', () => {
    const a = ok(parseRange('127.0.0.1-127.0.0.5'));
    const b = ok(parseSubnet('127.0.0.4/30'));
    expect(mergeRanges([b, a])).toHaveLength(1);
    expect(addressCount([a, b])).toBe(7);
    expect([...addressesOf([a, b])]).toEqual([
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      '127.0.0.5',
      '127.0.0.6',
      '127.0.0.7',
    ]);
  });

  it('keys sort numerically', () => {
    expect(addressKey('127.0.0.9') < addressKey('127.0.0.10')).toBe(true);
    expect(addressKey('255.255.255.255')).toBe('ffffffff');
  });
});
