import fastifyHelmet from '@fastify/helmet';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { CSRF_COOKIE, CSRF_HEADER } from '@steward/protocol';
import type { App } from './types.js';

/**
 * The Content-Security-Policy of every admin answer (console, Swagger UI at /api/docs, JSON).
 * Scripts only from the site itself: the built console and the Swagger UI page have no inline
 * script. Styles allow 'unsafe-inline' because Mantine (the console's components) and Swagger UI
 * set style attributes and inject <style> elements at run time; images and fonts may be data:
 * URIs (Swagger UI's icons). No framing, no plugins, no <base>, forms post only to the site.
 */
export const ADMIN_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // The admin listener is plain HTTP on 127.0.0.1 by default: do not force https sub-requests.
  upgradeInsecureRequests: null,
};

/**
 * Security headers on every admin answer (also the errors and the 404s): CSP, X-Frame-Options
 * DENY, nosniff, Referrer-Policy no-referrer, Cross-Origin-Opener-Policy same-origin.
 */
export async function installSecurityHeaders(app: App): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: ADMIN_CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // Browsers ignore HSTS over plain HTTP; over TLS it must not reach other hosts of the domain.
    strictTransportSecurity: { maxAge: 15552000, includeSubDomains: false },
  });
}

/**
 * Swagger UI's "try it out" from a signed-in console: the browser sends the session cookie by
 * itself (same origin); this adds the CSRF header from the readable CSRF cookie. Serialised into
 * the UI's initializer script by @fastify/swagger-ui (a function's source), so it must be plain
 * browser JavaScript with no imports: the names are spliced in as literals.
 */
export function swaggerCsrfInterceptor(): RequestInterceptor {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/consistent-type-assertions -- see above: browser code, built from source, so without a signature of its own
  return new Function(
    'request',
    `var m = document.cookie.match(/(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)/);
     if (m && !/^(GET|HEAD|OPTIONS)$/i.test(request.method || 'GET'))
       request.headers[${JSON.stringify(CSRF_HEADER)}] = decodeURIComponent(m[1]);
     return request;`,
  ) as RequestInterceptor;
}

type RequestInterceptor = NonNullable<
  NonNullable<FastifySwaggerUiOptions['uiConfig']>['requestInterceptor']
>;
