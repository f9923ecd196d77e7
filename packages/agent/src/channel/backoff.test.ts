import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('backoff with full jitter', () => {
  it('doubles the ceiling from 1 s to the 5 minute cap and resets', () => {
    const top = new Backoff(1_000, 300_000, () => 0.999999);
    const ceilings = Array.from({ length: 12 }, () => top.next());
    expect(ceilings.slice(0, 4)).toEqual([999, 1999, 3999, 7999]);
    expect(Math.max(...ceilings)).toBeLessThan(300_000);
    expect(ceilings.at(-1)).toBe(299_999);
    top.reset();
    expect(top.next()).toBe(999);
  });

  it('draws anywhere between zero and the ceiling', () => {
    const values = [0, 0.5];
    const b = new Backoff(1_000, 300_000, () => values.shift() ?? 0);
    expect(b.next()).toBe(0);
    expect(b.next()).toBe(1_000);
  });
});
