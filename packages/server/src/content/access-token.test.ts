import { AppError } from '@steward/protocol';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signContentAccessToken, verifyContentAccessToken } from './access-token.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const now = Date.parse('2026-11-22T12:00:00Z');
const claims = {
  deviceId: 'dev-1',
  siteCode: 'S01',
  site: 'ab'.repeat(32),
  packageVersionIds: ['version-1'],
  iat: now / 1000,
  exp: now / 1000 + 600,
};

function denial(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError)
      return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('content access tokens', () => {
  it('round-trips the claims', () => {
    const token = signContentAccessToken(privateKey, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyContentAccessToken(publicKey, token, now)).toEqual(claims);
  });

  it('refuses an expired token', () => {
    const token = signContentAccessToken(privateKey, claims);
    const err = denial(() => verifyContentAccessToken(publicKey, token, (claims.exp + 1) * 1000));
    expect(err).toMatchObject({ status: 403, code: 'CONTENT_ACCESS_DENIED' });
    expect(err.message).toMatch(/expired/);
    // exactly at exp is already too late
    expect(denial(() => verifyContentAccessToken(publicKey, token, claims.exp * 1000)).code).toBe(
      'CONTENT_ACCESS_DENIED',
    );
  });

  it('refuses a token signed by another key', () => {
    const token = signContentAccessToken(other.privateKey, claims);
    expect(denial(() => verifyContentAccessToken(publicKey, token, now)).message).toMatch(
      /signature/,
    );
  });

  it('refuses changed claims', () => {
    const token = signContentAccessToken(privateKey, claims);
    const [, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, deviceId: 'dev-2' })).toString(
      'base64url',
    );
    expect(denial(() => verifyContentAccessToken(publicKey, `${forged}.${sig}`, now)).code).toBe(
      'CONTENT_ACCESS_DENIED',
    );
  });

  it('refuses correctly signed claims that do not match the schema', () => {
    const payload = Buffer.from(JSON.stringify({ deviceId: 'dev-1', exp: 'never' })).toString(
      'base64url',
    );
    const sig = sign(null, Buffer.from(payload, 'ascii'), privateKey).toString('base64url');
    expect(
      denial(() => verifyContentAccessToken(publicKey, `${payload}.${sig}`, now)).message,
    ).toMatch(/claims/);
  });

  it.each(['', 'abc', 'a.b.c', '.x', 'x.', 'a b.c', '!!!.???'])('refuses malformed %j', (t) => {
    expect(denial(() => verifyContentAccessToken(publicKey, t, now))).toMatchObject({
      status: 403,
      code: 'CONTENT_ACCESS_DENIED',
    });
  });
});
