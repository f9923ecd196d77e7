import { describe, expect, it } from 'vitest';
import { clientAddressKey, formatAddress, parseAddress, parseBoundary } from './ip-address.js';

function ok(type: 'subnet' | 'range', value: string) {
  const r = parseBoundary(type, value);
  if (!r.ok) throw new Error(r.error);
  return r.range;
}

describe('addresses', () => {
  it('maps IPv4 into IPv6 so both families compare as one key space', () => {
    expect(clientAddressKey('10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(clientAddressKey('::ffff:10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(parseAddress('::ffff:10.1.2.3')?.family).toBe(4);
    expect(clientAddressKey('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe800000000000000000000000000001');
    expect(clientAddressKey('not-an-ip')).toBeUndefined();
    expect(clientAddressKey('10.1.2.256')).toBeUndefined();
  });

  it('formats IPv6 canonically (RFC 5952)', () => {
    const f = (t: string) => {
      const a = parseAddress(t);
      if (!a) throw new Error(t);
      return formatAddress(a);
    };
    expect(f('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(f('::')).toBe('::');
    expect(f('1:0:1:0:1:0:1:0')).toBe('1:0:1:0:1:0:1:0');
  });
});

describe('boundaries', () => {
  it('normalises an IPv4 subnet to its network address and keys its whole range', () => {
    const r = ok('subnet', ' 10.1.2.3/16 ');
    expect(r.value).toBe('10.1.0.0/16');
    expect(r.startKey).toBe('00000000000000000000ffff0a010000');
    expect(r.endKey).toBe('00000000000000000000ffff0a01ffff');
    expect(ok('subnet', '0.0.0.0/0').endKey).toBe('00000000000000000000ffffffffffff');
    expect(ok('subnet', '192.168.1.7/32').startKey).toBe(ok('subnet', '192.168.1.7/32').endKey);
  });

  it('normalises IPv6 prefixes', () => {
    const r = ok('subnet', '2001:DB8:AB::/48');
    expect(r.value).toBe('2001:db8:ab::/48');
    expect(r.startKey).toBe('20010db800ab00000000000000000000');
    expect(r.endKey).toBe('20010db800abffffffffffffffffffff');
  });

  it('accepts ranges in order and of one family', () => {
    const r = ok('range', '10.1.0.10 - 10.1.0.200');
    expect(r.value).toBe('10.1.0.10-10.1.0.200');
    expect(r.startKey < r.endKey).toBe(true);
    expect(ok('range', '2001:db8::1-2001:db8::ff').value).toBe('2001:db8::1-2001:db8::ff');
  });

  it.each([
    ['subnet', '10.1.0.0'],
    ['subnet', '10.1.0.0/33'],
    ['subnet', '2001:db8::/129'],
    ['subnet', 'abc/8'],
    ['range', '10.1.0.200-10.1.0.10'],
    ['range', '10.1.0.1-2001:db8::1'],
    ['range', '10.1.0.1'],
    ['range', '10.1.0.1-10.1.0.300'],
  ] as const)('refuses %s %s', (type, value) => {
    expect(parseBoundary(type, value).ok).toBe(false);
  });
});
