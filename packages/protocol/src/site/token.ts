/**
 * The codec shared by the tokens that carry trust in the site to a new machine (the agent's
 * enrolment token, a distribution point's registration token): `<prefix><base64url(JSON)>`, and
 * the checks every such token makes of the site URL, the CA fingerprint and the secret.
 */

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export function encodeSiteToken(prefix: string, body: Readonly<Record<string, string>>): string {
  return prefix + Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The token's JSON body, read by `read`; or an error sentence when it is not such a token. */
export function decodeSiteToken<T>(
  prefix: string,
  token: string,
  read: (body: Readonly<Record<string, unknown>>) => Decoded<T>,
): Decoded<T> {
  const t = token.trim();
  if (!t.startsWith(prefix)) return { ok: false, error: `token does not start with "${prefix}"` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(t.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'token body is not valid base64url JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, error: 'token body is not an object' };
  return read(Object.fromEntries(Object.entries(parsed)));
}

/** The agent endpoint URL (https, no trailing slash), or why not. */
export function siteUrlOf(value: unknown): Decoded<string> {
  return typeof value === 'string' && /^https:\/\/[^/]+/.test(value)
    ? { ok: true, value: value.replace(/\/+$/, '') }
    : { ok: false, error: 'token has no https URL' };
}

/** Lower-case hex SHA-256 of the site CA certificate, or why not. */
export function caFingerprintOf(value: unknown): Decoded<string> {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
    ? { ok: true, value }
    : { ok: false, error: 'token has no CA fingerprint' };
}

/** The random secret the site keeps only hashed, or why not. */
export function secretOf(value: unknown): Decoded<string> {
  return typeof value === 'string' && value.length >= 16
    ? { ok: true, value }
    : { ok: false, error: 'token has no secret' };
}
