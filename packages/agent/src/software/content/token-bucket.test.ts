import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('download throttle token bucket', () => {
  it('lets a burst through, then charges waits that hold the configured rate', () => {
    let now = 0;
    const bucket = new TokenBucket(100_000, () => now, 50_000);
    expect(bucket.take(50_000)).toBe(0); // the burst is free
    // 100 kB over budget at 100 kB/s: one second of waiting is owed.
    expect(bucket.take(100_000)).toBe(1000);
    now += 1000;
    expect(bucket.available()).toBeCloseTo(0, 6);
    // Refill is proportional to elapsed time and capped at the burst size.
    now += 250;
    expect(bucket.available()).toBeCloseTo(25_000, 6);
    now += 10_000;
    expect(bucket.available()).toBe(50_000);
  });

  it('over any run of chunks, total wait = (bytes - burst) / rate', () => {
    let now = 0;
    const rate = 64 * 1024;
    const bucket = new TokenBucket(rate, () => now, 16 * 1024);
    let bytes = 0;
    for (let i = 0; i < 100; i++) {
      const chunk = 1000 + ((i * 7919) % 30_000);
      bytes += chunk;
      now += bucket.take(chunk); // the reader sleeps exactly what it is told
    }
    const expected = ((bytes - 16 * 1024) / rate) * 1000;
    // Each wait is rounded up to a whole ms: at most 1 ms per chunk above the exact figure.
    expect(now).toBeGreaterThanOrEqual(expected - 1);
    expect(now).toBeLessThanOrEqual(expected + 100);
  });

  it('does not accumulate credit while idle beyond the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, () => now);
    expect(bucket.burst).toBe(64 * 1024);
    now += 3_600_000;
    expect(bucket.take(64 * 1024 + 1000)).toBe(1000);
  });

  it('refuses a non-positive rate', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
