import { createHash, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  ErrorCode,
  SESSION_COOKIE,
  isSafeMethod,
  NotAllowedError,
} from '@steward/protocol';

/** How a request carries its session: the CLI's bearer header, or the console's cookie. */
export interface SessionCredentials {
  token: string;
  via: 'bearer' | 'cookie';
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return undefined;
}

/** The bearer header wins: a script that sends one is never judged by a stray cookie. */
export function sessionCredentials(request: FastifyRequest): SessionCredentials | undefined {
  const bearer = bearerToken(request);
  if (bearer) return { token: bearer, via: 'bearer' };
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/**
 * The CSRF token of a session, derived from the session token (which never leaves the HttpOnly
 * cookie): another site can neither read it nor compute it, and the site needs no state for it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`steward-csrf\0${sessionToken}`).digest('base64url');
}

/**
 * A state-changing request authenticated by the cookie must echo the session's CSRF token in
 * the header (SameSite=Strict already keeps the cookie off cross-site requests; this also covers
 * same-site attackers and browsers without SameSite). Bearer requests need no such check: no
 * browser attaches a bearer header by itself.
 */
export function checkCsrf(request: FastifyRequest, credentials: SessionCredentials): void {
  if (credentials.via !== 'cookie' || isSafeMethod(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(credentials.token));
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new NotAllowedError(
      `a console request that changes something must send the ${CSRF_HEADER} header of its session`,
      ErrorCode.CSRF_TOKEN_INVALID,
    );
}

/**
 * Secure where the browser reached the console over TLS: the admin listener's own TLS, or an
 * https `Origin` (the browser's view, which a TLS-terminating reverse proxy in front of a plain
 * listener does not change). A forged Origin only makes the sender's own cookie stricter.
 */
function cookieBase(request: FastifyRequest) {
  const origin = request.headers.origin;
  return {
    path: '/',
    sameSite: 'strict' as const,
    secure: request.protocol === 'https' || (origin?.startsWith('https://') ?? false),
  };
}

/** Sets the console's session: the token HttpOnly, its CSRF token readable by the console. */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
): string {
  const csrf = csrfTokenFor(token);
  const expires = new Date(expiresAt);
  void reply.setCookie(SESSION_COOKIE, token, { ...cookieBase(request), httpOnly: true, expires });
  void reply.setCookie(CSRF_COOKIE, csrf, { ...cookieBase(request), httpOnly: false, expires });
  return csrf;
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { ...cookieBase(request), httpOnly: true });
  void reply.clearCookie(CSRF_COOKIE, cookieBase(request));
}
