import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('refuses after the allowed failures and lets the window pass', () => {
    const l = new LoginLimiter(3, 60_000);
    const keys = ['user:admin', 'ip:1.2.3.4'];
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter(keys, 1000 + i)).toBe(0);
      l.fail(keys, 1000 + i);
    }
    expect(l.retryAfter(keys, 2000)).toBe(59);
    expect(l.retryAfter(['user:other', 'ip:1.2.3.4'], 2000)).toBeGreaterThan(0);
    expect(l.retryAfter(['user:other', 'ip:5.6.7.8'], 2000)).toBe(0);
    expect(l.retryAfter(keys, 61_001)).toBe(0);
  });

  it('forgets failures after a success', () => {
    const l = new LoginLimiter(2, 60_000);
    l.fail(['user:a'], 0);
    l.succeed(['user:a']);
    l.fail(['user:a'], 1);
    expect(l.retryAfter(['user:a'], 2)).toBe(0);
  });
});
