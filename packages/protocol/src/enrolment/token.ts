import {
  caFingerprintOf,
  type Decoded,
  decodeSiteToken,
  encodeSiteToken,
  secretOf,
  siteUrlOf,
} from '../site/token.js';

/**
 * Enrolment token string: `stw1.<base64url(JSON)>`. It carries everything a new agent needs to
 * reach and trust the site on first contact: the agent endpoint URL, the SHA-256 fingerprint of
 * the site CA certificate (the agent pins it), and the secret the server checks.
 */
export interface EnrolmentTokenContent {
  /** Agent endpoint, e.g. https://site.example:8443 */
  url: string;
  /** Lower-case hex SHA-256 of the site CA certificate (DER). */
  caFingerprint: string;
  /** Random secret; the server stores only its hash. */
  secret: string;
}

const PREFIX = 'stw1.';

export function encodeEnrolmentToken(content: EnrolmentTokenContent): string {
  return encodeSiteToken(PREFIX, { u: content.url, f: content.caFingerprint, s: content.secret });
}

/** Returns the token content, or an error sentence when the string is not a Steward token. */
export function decodeEnrolmentToken(token: string): Decoded<EnrolmentTokenContent> {
  return decodeSiteToken(PREFIX, token, (body) => {
    const url = siteUrlOf(body['u']);
    if (!url.ok) return url;
    const caFingerprint = caFingerprintOf(body['f']);
    if (!caFingerprint.ok) return caFingerprint;
    const secret = secretOf(body['s']);
    if (!secret.ok) return secret;
    return {
      ok: true,
      value: { url: url.value, caFingerprint: caFingerprint.value, secret: secret.value },
    };
  });
}
