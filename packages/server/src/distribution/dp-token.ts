/**
 * Registration token of a distribution point: `dp1.<base64url(JSON)>`, the DP counterpart of an
 * enrolment token (protocol enrolment-token.ts). It carries what `steward server --roles dp` needs
 * on first start to reach and trust the site: the site's agent URL (where the DP API lives), the
 * SHA-256 fingerprint of the site CA (pinned like an agent pins it), the DP's id and the one-time
 * secret the site keeps only hashed.
 */
export interface DpTokenContent {
  url: string;
  caFingerprint: string;
  dpId: string;
  secret: string;
}

const PREFIX = 'dp1.';

export function encodeDpToken(content: DpTokenContent): string {
  const json = JSON.stringify({
    url: content.url,
    caFingerprint: content.caFingerprint,
    dpId: content.dpId,
    secret: content.secret,
  });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

/** The token content, or an error sentence when the string is not a DP registration token. */
export function decodeDpToken(
  token: string,
): { ok: true; value: DpTokenContent } | { ok: false; error: string } {
  const t = token.trim();
  if (!t.startsWith(PREFIX)) return { ok: false, error: 'token does not start with "dp1."' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(t.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'token body is not valid base64url JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { ok: false, error: 'token body is not an object' };
  const url = 'url' in parsed ? parsed.url : undefined;
  const fp = 'caFingerprint' in parsed ? parsed.caFingerprint : undefined;
  const dpId = 'dpId' in parsed ? parsed.dpId : undefined;
  const secret = 'secret' in parsed ? parsed.secret : undefined;
  if (typeof url !== 'string' || !/^https:\/\/[^/]+/.test(url))
    return { ok: false, error: 'token has no https URL' };
  if (typeof fp !== 'string' || !/^[0-9a-f]{64}$/.test(fp))
    return { ok: false, error: 'token has no CA fingerprint' };
  if (typeof dpId !== 'string' || dpId === '') return { ok: false, error: 'token has no DP id' };
  if (typeof secret !== 'string' || secret.length < 16)
    return { ok: false, error: 'token has no secret' };
  return {
    ok: true,
    value: { url: url.replace(/\/+$/, ''), caFingerprint: fp, dpId, secret },
  };
}
