/**
 * How the console's browser session is carried (the CLI and scripts send a bearer token instead):
 * the session token in an HttpOnly cookie JavaScript cannot read, and a CSRF token in a readable
 * cookie that the console echoes in a header on every state-changing request (double submit,
 * checked by the site against the session itself).
 */
export const SESSION_COOKIE = 'steward_session';
/** Readable by the console's JavaScript (not HttpOnly); its value goes back in `CSRF_HEADER`. */
export const CSRF_COOKIE = 'steward_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing: no CSRF check on them. */
export function isSafeMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** A cookie's value out of a `document.cookie` style string, or undefined. */
export function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
