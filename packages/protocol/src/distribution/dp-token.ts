import {
  caFingerprintOf,
  type Decoded,
  decodeSiteToken,
  encodeSiteToken,
  secretOf,
  siteUrlOf,
} from '../site/token.js';

/**
 * Registration token of a distribution point: `dp1.<base64url(JSON)>`, the DP counterpart of an
 * enrolment token (enrolment-token.ts). It carries what `steward server --roles dp` needs on
 * first start to reach and trust the site: the site's agent URL (where the DP API lives), the
 * SHA-256 fingerprint of the site CA (pinned like an agent pins it), the DP's id and the one-time
 * secret the site keeps only hashed.
 */
export interface DpTokenContent {
  url: string;
  caFingerprint: string;
  dpId: string;
  secret: string;
}

export const DP_TOKEN_PREFIX = 'dp1.';

export function encodeDpToken(content: DpTokenContent): string {
  return encodeSiteToken(DP_TOKEN_PREFIX, {
    url: content.url,
    caFingerprint: content.caFingerprint,
    dpId: content.dpId,
    secret: content.secret,
  });
}

/** The token content, or an error sentence when the string is not a DP registration token. */
export function decodeDpToken(token: string): Decoded<DpTokenContent> {
  return decodeSiteToken(DP_TOKEN_PREFIX, token, (body) => {
    const url = siteUrlOf(body['url']);
    if (!url.ok) return url;
    const caFingerprint = caFingerprintOf(body['caFingerprint']);
    if (!caFingerprint.ok) return caFingerprint;
    const dpId = body['dpId'];
    if (typeof dpId !== 'string' || dpId === '') return { ok: false, error: 'token has no DP id' };
    const secret = secretOf(body['secret']);
    if (!secret.ok) return secret;
    return {
      ok: true,
      value: { url: url.value, caFingerprint: caFingerprint.value, dpId, secret: secret.value },
    };
  });
}
