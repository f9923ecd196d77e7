/**
 * The admin listener as an attacker meets it: path spellings that must not skip authentication,
 * sign-in throttling that cannot lock out the administrator, the console's cookie session with
 * its CSRF check, the security headers, the API docs, and the audit of what a session does.
 * A real `steward server` process on each dialect, plain HTTP from distinct loopback addresses.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '@steward/protocol';
import {
  dropTestSchema,
  pgReachable,
  POSTGRES_URL,
  startServerProcess,
  type ServerHandle,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/**
 * One raw HTTP request: the path goes on the wire exactly as written (fetch would normalise
 * `..` and `//`), from the given loopback source address.
 */
function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { from?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(baseUrl);
  const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        localAddress: opts.from ?? '127.0.0.1',
        headers: {
          ...(data === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let json: unknown = undefined;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** name=value pairs of the Set-Cookie headers, with their attributes. */
function setCookies(a: Answer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of a.headers['set-cookie'] ?? []) {
    const name = line.slice(0, line.indexOf('='));
    out.set(name, line);
  }
  return out;
}

function cookieOf(line: string | undefined): string {
  return (line ?? '').split(';')[0] ?? '';
}

const API = '/api/v1';

describe.each(dialects)('admin listener security on %s', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let dir: string;
  let server: ServerHandle;
  let base: string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  let admin: ApiClient;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'steward-adminsec-'));
    server = await startServerProcess({
      dataDir: join(dir, 'server'),
      password,
      ...(dialect === 'postgres' ? { dbUrl: `${POSTGRES_URL}?schema=${schema}` } : {}),
    });
    base = server.adminUrl;
    admin = new ApiClient({ baseUrl: base });
    admin.setToken((await admin.login('admin', password)).token);
  });
  afterAll(async () => {
    if (skip) return;
    await server.stop();
    if (dialect === 'postgres') {
      await dropTestSchema(schema);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('asks for a session on every spelling of an API path', async () => {
    const plain = await call(base, 'GET', `${API}/site`);
    expect(plain.status).toBe(401);
    for (const path of [
      '/%61pi/v1/site',
      '/%61%70%69/v1/%73ite',
      '/api/v1/../v1/site',
      '/api/v1/./site',
      '//api/v1/site',
      '/API/v1/site',
      '/api/v1/site%2f',
      '/api/v1/site/',
      '/api%2fv1%2fsite',
      '/x/../api/v1/site',
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const a = await call(base, method, path);
        // Never the site's data, and never the console's page standing in for an API answer.
        expect([401, 404], `${method} ${path}: ${a.status}`).toContain(a.status);
        expect(a.headers['content-type'] ?? '', `${method} ${path}`).not.toMatch(/text\/html/);
        expect(a.text).not.toMatch(/siteCode|<html/i);
      }
    }
    // The one that reached the route before: decoded by routing, so the route decides.
    expect((await call(base, 'GET', '/%61pi/v1/site')).status).toBe(401);
    expect((await call(base, 'GET', '/%61pi/v1/users')).status).toBe(401);
    expect((await call(base, 'POST', '/%61pi/v1/enrolment-tokens', { body: {} })).status).toBe(401);
    // Public routes stay public; a console deep link still gets the console.
    expect((await call(base, 'GET', `${API}/health`)).status).toBe(200);
    expect((await call(base, 'GET', '/api/openapi.json')).status).toBe(200);
    const deepLink = await call(base, 'GET', '/devices/some-device');
    expect(deepLink.status).toBe(200);
    expect(deepLink.text).toMatch(/<div id="root">/);
  });

  it.skipIf(skip)('does not let an attacker lock out the administrator', async () => {
    const attacker = '127.0.0.2';
    const real = '127.0.0.3';
    let refused: Answer | undefined;
    for (let i = 0; i < 50; i++) {
      const a = await call(base, 'POST', `${API}/auth/login`, {
        from: attacker,
        body: { userName: 'admin', password: `wrong-${i}` },
      });
      expect([401, 429]).toContain(a.status);
      if (a.status === 429) refused = a;
    }
    // The attacker is throttled, with the time to wait...
    expect(refused?.json).toMatchObject({ code: 'LOGIN_RATE_LIMITED' });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    const again = await call(base, 'POST', `${API}/auth/login`, {
      from: attacker,
      body: { userName: 'admin', password },
    });
    expect(again.status).toBe(429);
    // ...and the real administrator, elsewhere, signs in at once.
    const ok = await call(base, 'POST', `${API}/auth/login`, {
      from: real,
      body: { userName: 'admin', password },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ user: { name: 'admin' } });
  });

  it.skipIf(skip)(
    'keeps the console session in an HttpOnly SameSite cookie and checks CSRF on changes',
    async () => {
      const from = '127.0.0.4';
      const login = await call(base, 'POST', `${API}/auth/login`, {
        from,
        body: { userName: 'admin', password, session: 'cookie' },
      });
      expect(login.status, login.text).toBe(200);
      const body = login.json as { token?: string; csrfToken?: string };
      expect(body.token).toBeUndefined();
      const cookies = setCookies(login);
      const session = cookies.get(SESSION_COOKIE) ?? '';
      const csrf = cookies.get(CSRF_COOKIE) ?? '';
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Strict/i);
      expect(session).not.toMatch(/Secure/i); // plain HTTP on loopback
      expect(csrf).not.toMatch(/HttpOnly/i);
      expect(csrf).toMatch(/SameSite=Strict/i);
      expect(cookieOf(csrf)).toBe(`${CSRF_COOKIE}=${body.csrfToken ?? ''}`);
      const cookie = `${cookieOf(session)}; ${cookieOf(csrf)}`;

      // Behind a TLS-terminating proxy the browser's Origin is https: the cookies are Secure.
      const proxied = await call(base, 'POST', `${API}/auth/login`, {
        from,
        headers: { origin: 'https://console.example' },
        body: { userName: 'admin', password, session: 'cookie' },
      });
      for (const line of setCookies(proxied).values()) expect(line).toMatch(/; Secure/i);

      // Reading needs only the cookie.
      const me = await call(base, 'GET', `${API}/auth/me`, { from, headers: { cookie } });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({ name: 'admin' });
      // A change without the CSRF header, or with a wrong one, is refused and writes nothing.
      const tokensBefore = (await admin.listTokens()).length;
      const attempts: Record<string, string>[] = [{ cookie }, { cookie, [CSRF_HEADER]: 'forged' }];
      for (const headers of attempts) {
        const forged = await call(base, 'POST', `${API}/enrolment-tokens`, {
          from,
          headers,
          body: { description: 'csrf' },
        });
        expect(forged.status).toBe(403);
        expect(forged.json).toMatchObject({ code: 'CSRF_TOKEN_INVALID' });
      }
      expect((await admin.listTokens()).length).toBe(tokensBefore);
      // With it, the change goes through.
      const made = await call(base, 'POST', `${API}/enrolment-tokens`, {
        from,
        headers: { cookie, [CSRF_HEADER]: body.csrfToken ?? '' },
        body: { description: 'csrf' },
      });
      expect(made.status, made.text).toBe(201);
      // Bearer requests (the CLI, scripts) need no CSRF header.
      await expect(admin.createToken({ description: 'bearer' })).resolves.toMatchObject({
        description: 'bearer',
      });

      // Logout (itself CSRF-checked) ends the session, clears both cookies, and is audited.
      const noCsrf = await call(base, 'POST', `${API}/auth/logout`, { from, headers: { cookie } });
      expect(noCsrf.status).toBe(403);
      const out = await call(base, 'POST', `${API}/auth/logout`, {
        from,
        headers: { cookie, [CSRF_HEADER]: body.csrfToken ?? '' },
      });
      expect(out.status).toBe(204);
      const cleared = setCookies(out);
      expect(cleared.get(SESSION_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/i);
      expect(cleared.get(CSRF_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/i);
      const after = await call(base, 'GET', `${API}/auth/me`, { from, headers: { cookie } });
      expect(after.status).toBe(401);
      const audit = await admin.listAudit({ limit: 20 });
      expect(audit.find((e) => e.action === 'user.logout')).toMatchObject({ userName: 'admin' });
    },
  );

  it.skipIf(skip)('sends the security headers on the console, the API and the docs', async () => {
    for (const path of [
      '/',
      '/devices',
      `${API}/health`,
      `${API}/site`,
      '/api/docs/static/index.html',
    ]) {
      const a = await call(base, 'GET', path);
      const csp = String(a.headers['content-security-policy']);
      expect(csp, path).toMatch(/default-src 'self'/);
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(a.headers['x-frame-options'], path).toBe('DENY');
      expect(a.headers['x-content-type-options'], path).toBe('nosniff');
      expect(a.headers['referrer-policy'], path).toBe('no-referrer');
      expect(a.headers['cross-origin-opener-policy'], path).toBe('same-origin');
    }
    // The built console has no inline script for the CSP to block.
    const index = await call(base, 'GET', '/');
    for (const tag of index.text.match(/<script[^>]*>[^<]*<\/script>/g) ?? [])
      expect(tag).toMatch(/src=/);
  });

  it.skipIf(skip)('serves the API docs without a bearer header', async () => {
    const page = await call(base, 'GET', '/api/docs');
    const html =
      page.status === 302
        ? await call(base, 'GET', new URL(String(page.headers.location), base).pathname)
        : page;
    expect(html.status).toBe(200);
    expect(html.text).toMatch(/swagger-ui/);
    const init = await call(base, 'GET', '/api/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain(CSRF_COOKIE);
    expect((await call(base, 'GET', '/api/docs/json')).status).toBe(200);
  });

  it.skipIf(skip)('audits collection evaluation', async () => {
    await admin.evaluateCollection('all-systems');
    const audit = await admin.listAudit({ limit: 20, targetType: 'collection' });
    expect(audit.find((e) => e.action === 'collection.evaluate')).toMatchObject({
      userName: 'admin',
      targetId: 'all-systems',
    });
  });
});
