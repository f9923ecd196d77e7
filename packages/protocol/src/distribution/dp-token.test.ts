import { describe, expect, it } from 'vitest';
import { decodeDpToken, encodeDpToken } from './dp-token.js';

const content = {
  url: 'https://site.example:8443',
  caFingerprint: 'a'.repeat(64),
  dpId: 'dp-1',
  secret: 's'.repeat(32),
};

describe('DP registration token', () => {
  it('round-trips and starts with dp1.', () => {
    const token = encodeDpToken(content);
    expect(token.startsWith('dp1.')).toBe(true);
    expect(decodeDpToken(` ${token}\n`)).toEqual({ ok: true, value: content });
  });

  it('drops a trailing slash of the URL', () => {
    const r = decodeDpToken(encodeDpToken({ ...content, url: 'https://site.example:8443/' }));
    expect(r.ok && r.value.url).toBe('https://site.example:8443');
  });

  it.each([
    ['stw1.abc', 'does not start'],
    ['dp1.%%%', 'not valid base64url JSON'],
    [encodeDpToken({ ...content, url: 'http://plain' }), 'no https URL'],
    [encodeDpToken({ ...content, caFingerprint: 'xyz' }), 'no CA fingerprint'],
    [encodeDpToken({ ...content, dpId: '' }), 'no DP id'],
    [encodeDpToken({ ...content, secret: 'short' }), 'no secret'],
  ])('refuses %s', (token, error) => {
    const r = decodeDpToken(token);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});
