import { sign, verify, type KeyObject } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { canonicalJson, ContentAccessClaims, NotAllowedError, ErrorCode } from '@steward/protocol';

/**
 * Content access tokens (ADR 0007): `base64url(canonical JSON claims).base64url(signature)`, the
 * Ed25519 signature being over the ASCII of the first part (as in JWS), made with the site's
 * policy-signing key. DPs check them offline with the public key they got at registration, so a
 * device downloads from any DP without the DP asking the site.
 */
export function signContentAccessToken(privateKey: KeyObject, claims: ContentAccessClaims): string {
  const payload = Buffer.from(canonicalJson(claims), 'utf8').toString('base64url');
  const signature = sign(null, Buffer.from(payload, 'ascii'), privateKey).toString('base64url');
  return `${payload}.${signature}`;
}

function denied(why: string): NotAllowedError {
  return new NotAllowedError(`content access token ${why}`, ErrorCode.CONTENT_ACCESS_DENIED);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The claims of a valid, unexpired token; CONTENT_ACCESS_DENIED (403) otherwise. */
export function verifyContentAccessToken(
  publicKey: KeyObject,
  token: string,
  nowMs: number,
): ContentAccessClaims {
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !BASE64URL.test(payload))
    throw denied('is malformed');
  if (!BASE64URL.test(signature)) throw denied('is malformed');
  let good: boolean;
  try {
    good = verify(
      null,
      Buffer.from(payload, 'ascii'),
      publicKey,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    good = false;
  }
  if (!good) throw denied('has a bad signature');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw denied('is malformed');
  }
  if (!Value.Check(ContentAccessClaims, claims)) throw denied('has malformed claims');
  if (claims.exp * 1000 <= nowMs) throw denied('has expired');
  return claims;
}
