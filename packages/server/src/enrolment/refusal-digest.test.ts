import { describe, expect, it } from 'vitest';
import { RefusalDigest } from './refusal-digest.js';

describe('RefusalDigest', () => {
  it('itemises the first refusal per address up to a global cap and counts the rest', () => {
    const d = new RefusalDigest({ intervalMs: 60_000, maxItemised: 2 });
    expect(d.record('a')).toBe(true);
    expect(d.record('a')).toBe(false);
    expect(d.record('b')).toBe(true);
    expect(d.record('c')).toBe(false);
    expect(d.record('c')).toBe(false);
    expect(d.drain()).toEqual({ count: 3, addresses: 2, topAddress: 'c', topCount: 2 });
    expect(d.drain()).toBeUndefined();
    expect(d.record('a')).toBe(true);
  });
});
