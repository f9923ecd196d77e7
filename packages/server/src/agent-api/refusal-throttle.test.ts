import { describe, expect, it } from 'vitest';
import { RefusalThrottle, throttleKey } from './refusal-throttle.js';

describe('throttleKey', () => {
  it('keeps IPv4 (also IPv4-mapped) and groups IPv6 by /64', () => {
    expect(throttleKey('192.0.2.7')).toBe('192.0.2.7');
    expect(throttleKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(throttleKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(throttleKey('2001:0db8:0000:0001:aaaa::9')).toBe('2001:db8:0:1::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    expect(throttleKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });
});

describe('RefusalThrottle', () => {
  it('allows a burst of refusals, then asks to wait, and earns refusals back over time', () => {
    let now = 0;
    const t = new RefusalThrottle({ burst: 3, perMinute: 6, maxAddresses: 10 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('a')).toBe(0);
      t.charge('a');
    }
    expect(t.retryAfterSeconds('a')).toBe(10);
    expect(t.retryAfterSeconds('b')).toBe(0);
    now += 10_000;
    expect(t.retryAfterSeconds('a')).toBe(0);
  });

  it('forgets the least recently refused address beyond its bound', () => {
    const t = new RefusalThrottle({ burst: 1, perMinute: 1, maxAddresses: 2 }, () => 0);
    t.charge('a');
    t.charge('b');
    t.charge('c');
    expect(t.retryAfterSeconds('a')).toBe(0);
    expect(t.retryAfterSeconds('c')).toBe(60);
  });

  it('is off at 0 a minute', () => {
    const t = new RefusalThrottle({ burst: 0, perMinute: 0, maxAddresses: 2 }, () => 0);
    t.charge('a');
    expect(t.retryAfterSeconds('a')).toBe(0);
  });
});
