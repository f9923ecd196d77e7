import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-limiter.js';

const admin = (address: string) => ({ name: 'admin', address });
const MIN = 60_000;

/** Fails `n` times (checking each may go ahead, as the site does) and returns the next wait. */
function failAll(t: LoginThrottle, attempt: { name: string; address: string }, n: number, at = 0) {
  for (let i = 0; i < n; i++) {
    if (t.retryAfter(attempt, at) > 0) return;
    t.fail(attempt, at);
  }
}

describe('LoginThrottle', () => {
  it('refuses a pair after a few failures, until the window passes', () => {
    const t = new LoginThrottle();
    failAll(t, admin('10.0.0.1'), 5);
    expect(t.retryAfter(admin('10.0.0.1'), 1000)).toBe(15 * 60 - 1);
    expect(t.retryAfter(admin('10.0.0.1'), 15 * MIN)).toBe(0);
  });

  it('never locks the name: 50 failures from one address leave another address free', () => {
    const t = new LoginThrottle();
    failAll(t, admin('10.0.0.1'), 50);
    expect(t.retryAfter(admin('10.0.0.1'), 0)).toBeGreaterThan(0);
    expect(t.retryAfter(admin('10.0.0.2'), 0)).toBe(0);
  });

  it('refuses an address that tries many names', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 20; i++) failAll(t, { name: `user-${i}`, address: '10.0.0.1' }, 1);
    expect(t.retryAfter({ name: 'someone-else', address: '10.0.0.1' }, 0)).toBe(15 * 60);
    expect(t.retryAfter({ name: 'someone-else', address: '10.0.0.2' }, 0)).toBe(0);
  });

  it('only slows a name attacked from many addresses, and not for its known addresses', () => {
    const t = new LoginThrottle();
    t.succeed(admin('10.0.0.99'), 0);
    for (let i = 0; i < 12; i++) t.fail(admin(`10.0.1.${i}`), 0);
    // 12 failures, 10 free: the next attempt from a new address waits 4 s, then goes ahead.
    expect(t.retryAfter(admin('10.0.2.1'), 1000)).toBe(3);
    expect(t.retryAfter(admin('10.0.2.1'), 4000)).toBe(0);
    // The delay is capped, so the right password always gets its turn.
    for (let i = 0; i < 40; i++) t.fail(admin(`10.0.3.${i}`), 5000);
    expect(t.retryAfter(admin('10.0.2.1'), 5000)).toBe(
      DEFAULT_LOGIN_THROTTLE.perNameMaxDelayMs / 1000,
    );
    expect(t.retryAfter(admin('10.0.2.1'), 35_000)).toBe(0);
    // An address the admin signed in from before is not slowed at all.
    expect(t.retryAfter(admin('10.0.0.99'), 5000)).toBe(0);
  });

  it('forgets the pair after a success, but not the address count', () => {
    const t = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, perAddressFailures: 6 });
    failAll(t, admin('10.0.0.1'), 4);
    t.succeed(admin('10.0.0.1'), 0);
    failAll(t, admin('10.0.0.1'), 1);
    expect(t.retryAfter(admin('10.0.0.1'), 0)).toBe(0);
    failAll(t, { name: 'other', address: '10.0.0.1' }, 1);
    expect(t.retryAfter(admin('10.0.0.1'), 0)).toBeGreaterThan(0);
  });

  it('keeps a bounded number of keys', () => {
    const t = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) t.fail({ name: `n${i}`, address: `a${i}` }, i);
    const size = (t as unknown as { failures: Map<string, number[]> }).failures.size;
    expect(size).toBeLessThanOrEqual(100);
  });
});
