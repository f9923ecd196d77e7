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
  const json = JSON.stringify({ u: content.url, f: content.caFingerprint, s: content.secret });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

/** Returns the token content, or an error sentence when the string is not a Steward token. */
export function decodeEnrolmentToken(
  token: string,
): { ok: true; value: EnrolmentTokenContent } | { ok: false; error: string } {
  const t = token.trim();
  if (!t.startsWith(PREFIX)) return { ok: false, error: 'token does not start with "stw1."' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(t.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'token body is not valid base64url JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { ok: false, error: 'token body is not an object' };
  const o = parsed as Record<string, unknown>;
  const { u, f, s } = o;
  if (typeof u !== 'string' || !/^https:\/\/[^/]+/.test(u))
    return { ok: false, error: 'token has no https URL' };
  if (typeof f !== 'string' || !/^[0-9a-f]{64}$/.test(f))
    return { ok: false, error: 'token has no CA fingerprint' };
  if (typeof s !== 'string' || s.length < 16) return { ok: false, error: 'token has no secret' };
  return { ok: true, value: { url: u.replace(/\/+$/, ''), caFingerprint: f, secret: s } };
}
