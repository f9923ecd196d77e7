import { describe, expect, it } from 'vitest';
import { decodeEnrolmentToken, encodeEnrolmentToken } from './token.js';

const content = {
  url: 'https://site.example:8443',
  caFingerprint: 'ab'.repeat(32),
  secret: 'a-long-random-secret-value',
};

describe('enrolment token', () => {
  it('round-trips the server address, CA fingerprint and secret', () => {
    const token = encodeEnrolmentToken(content);
    expect(token.startsWith('stw1.')).toBe(true);
    expect(decodeEnrolmentToken(`  ${token}\n`)).toEqual({ ok: true, value: content });
  });

  it.each([
    ['not a token', 'does not start'],
    ['stw1.%%%', 'not valid base64url JSON'],
    [`stw1.${Buffer.from('"x"').toString('base64url')}`, 'not an object'],
    [
      `stw1.${Buffer.from(JSON.stringify({ u: 'http://plain', f: 'ab'.repeat(32), s: 'x'.repeat(20) })).toString('base64url')}`,
      'no https URL',
    ],
    [
      `stw1.${Buffer.from(JSON.stringify({ u: 'https://h', f: 'zz', s: 'x'.repeat(20) })).toString('base64url')}`,
      'no CA fingerprint',
    ],
    [
      `stw1.${Buffer.from(JSON.stringify({ u: 'https://h', f: 'ab'.repeat(32), s: 'short' })).toString('base64url')}`,
      'no secret',
    ],
  ])('refuses %s', (token, error) => {
    const r = decodeEnrolmentToken(token);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});
