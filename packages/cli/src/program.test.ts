import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSession } from './session.js';
import {
  apiError,
  createHarness,
  reply,
  route,
  run,
  type HarnessOptions,
  type Route,
} from '../test/support/harness.js';
import { collection, device, user } from '../test/support/fixtures.js';

const signedIn = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't0k' };

function site(routes: Route[], opts: HarnessOptions = {}) {
  return createHarness({ ...opts, routes, env: { ...signedIn, ...opts.env } });
}

describe('usage errors', () => {
  it('exit 2 with "error USAGE: ..." on stderr and nothing on stdout', async () => {
    const h = site([]);
    const r = await run(h, 'device', 'list', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error USAGE: unknown option '--bogus'/);
    expect(h.requests).toHaveLength(0);
  });

  it('checks values before calling the site', async () => {
    const h = site([]);
    expect((await run(h, 'device', 'list', '--status', 'sleepy')).code).toBe(2);
    expect(h.stderr.text).toBe(
      'error USAGE: --status must be one of active, inactive, revoked, online, obsolete; got "sleepy"\n',
    );
    const h2 = site([]);
    const r = await run(h2, 'device', 'list', '--all', '--limit', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error USAGE: --all cannot be combined with --limit or --offset\n');
  });

  it('a group without its subcommand shows help and exits 2; --help and --version exit 0', async () => {
    expect((await run(site([]), 'collection')).code).toBe(2);
    expect((await run(site([]), 'help', 'token')).code).toBe(0);
    const help = await run(site([]), 'device', 'list', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--sort <field>');
    const version = await run(site([]), '--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('API errors', () => {
  it('exit 1 with the code and message of the site, nothing on stdout', async () => {
    const h = site([
      route('GET', '/devices/:id', () => apiError(404, 'NOT_FOUND', 'no device named ghost')),
    ]);
    const r = await run(h, 'device', 'show', 'ghost', '--json');
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error NOT_FOUND: no device named ghost\n' });
  });

  it('hints at login on an expired session', async () => {
    const h = site([
      route('GET', '/auth/me', () => apiError(401, 'SESSION_EXPIRED', 'the session has expired')),
    ]);
    const r = await run(h, 'whoami');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error SESSION_EXPIRED: the session has expired\nSign in again with "steward login".\n',
    );
  });

  it('reports an unreachable site', async () => {
    const h = createHarness({ env: signedIn });
    h.io.fetch = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const r = await run(h, 'site');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error UNREACHABLE: cannot reach http://site.test: connect ECONNREFUSED\n',
    );
  });
});

describe('login, whoami, logout', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const loginRoutes = [
    route('POST', '/auth/login', (req) =>
      JSON.stringify(req.body) === JSON.stringify({ userName: 'admin', password: 's3cret pw' })
        ? { token: 'tok-1', expiresAt: '2025-06-01T20:00:00Z', user: user() }
        : apiError(401, 'INVALID_CREDENTIALS', 'wrong user name or password'),
    ),
    route('GET', '/auth/me', (req) =>
      req.authorization === 'Bearer tok-1' ? user() : apiError(401, 'UNAUTHENTICATED', 'no'),
    ),
    route('POST', '/auth/logout', () => reply(204)),
  ];

  it('reads the password from stdin, keeps the session, and uses it', async () => {
    const h = createHarness({
      routes: loginRoutes,
      env: { STEWARD_CONFIG_DIR: dir },
      stdin: 's3cret pw\n',
    });
    const r = await run(
      h,
      'login',
      '--server',
      'site.test:8080',
      '--user',
      'admin',
      '--password-stdin',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Signed in to http://site.test:8080 as admin (full-administrator); the session expires in 8 h.\n',
    );
    const session = await readSession({ STEWARD_CONFIG_DIR: dir });
    expect(session).toMatchObject({
      server: 'http://site.test:8080',
      token: 'tok-1',
      userName: 'admin',
    });
    expect((await stat(join(dir, 'session.json'))).mode & 0o777).toBe(0o600);

    const who = createHarness({ routes: loginRoutes, env: { STEWARD_CONFIG_DIR: dir } });
    expect(await run(who, 'whoami')).toMatchObject({
      code: 0,
      stdout: 'admin (full-administrator) at http://site.test:8080\n',
    });

    const out = createHarness({ routes: loginRoutes, env: { STEWARD_CONFIG_DIR: dir } });
    expect(await run(out, 'logout')).toMatchObject({
      code: 0,
      stdout: 'Signed out of http://site.test:8080.\n',
    });
    expect(out.requests.map((q) => `${q.method} ${q.path} ${q.authorization ?? ''}`)).toEqual([
      'POST /auth/logout Bearer tok-1',
    ]);
    expect(await readSession({ STEWARD_CONFIG_DIR: dir })).toBeUndefined();
  });

  it('refuses a password on the command line', async () => {
    const h = createHarness({ routes: loginRoutes, env: { STEWARD_CONFIG_DIR: dir } });
    const r = await run(h, 'login', '--server', 'x:1', '--user', 'admin', '--password', 'hunter2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error USAGE: passwords are not taken from the command line/);
    expect(h.requests).toHaveLength(0);
  });

  it('needs --password-stdin when stdin is not a terminal', async () => {
    const h = createHarness({ routes: loginRoutes, env: { STEWARD_CONFIG_DIR: dir } });
    const r = await run(h, 'login', '--server', 'x:1', '--user', 'admin');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--password-stdin/);
  });

  it('reports wrong credentials and keeps no session', async () => {
    const h = createHarness({
      routes: loginRoutes,
      env: { STEWARD_CONFIG_DIR: dir },
      stdin: 'nope\n',
    });
    const r = await run(h, 'login', '--server', 'x:1', '--user', 'admin', '--password-stdin');
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error INVALID_CREDENTIALS: wrong user name or password\n',
    });
    expect(await readSession({ STEWARD_CONFIG_DIR: dir })).toBeUndefined();
  });
});

describe('device list', () => {
  it('maps flags to the query and prints one JSON document', async () => {
    const h = site([
      route('GET', '/collections/:id', (_r, [id]) => collection({ id: `id-of-${id ?? ''}` })),
      route('GET', '/devices', () => ({ items: [device()], total: 1 })),
    ]);
    const r = await run(
      h,
      'device',
      'list',
      '--collection',
      'Web servers',
      '--status',
      'online',
      '--sort',
      'memory',
      '--desc',
      '--limit',
      '5',
      '--search',
      'web',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ items: [device()], total: 1 });
    const list = h.requests.find((q) => q.path === '/devices');
    expect(list?.query).toEqual({
      collection: 'id-of-Web servers',
      status: 'online',
      sort: 'memory',
      order: 'desc',
      offset: '0',
      limit: '5',
      search: 'web',
    });
    expect(list?.authorization).toBe('Bearer t0k');
  });

  it('walks every page with --all', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => device({ id: `d${i}`, name: `n${i}` }));
    const h = site([
      route('GET', '/devices', (req) => {
        const offset = Number(req.query['offset']);
        const limit = Number(req.query['limit']);
        return { items: all.slice(offset, offset + limit), total: all.length };
      }),
    ]);
    const r = await run(h, 'device', 'list', '--all', '--json');
    expect(JSON.parse(r.stdout).items).toHaveLength(2500);
    expect(h.requests.map((q) => q.query['offset'])).toEqual(['0', '1000', '2000']);
  });

  it('prints an aligned table with human times', async () => {
    const h = site([
      route('GET', '/devices', () => ({
        items: [
          device(),
          device({
            id: 'd2',
            name: 'db-1',
            online: false,
            active: false,
            lastContactAt: '2025-05-20T12:00:00Z',
            memoryTotalMb: 512,
          }),
        ],
        total: 7,
      })),
    ]);
    const r = await run(h, 'device', 'list');
    expect(r.stdout.split('\n')).toEqual([
      'NAME    STATUS    OS                   TYPE             MEMORY  IP        AGENT  LAST CONTACT',
      'web-01  online    Debian GNU/Linux 12  virtual-machine   16 GB  10.0.0.5  0.1.0  3 min ago',
      'db-1    inactive  Debian GNU/Linux 12  virtual-machine  512 MB  10.0.0.5  0.1.0  12 days ago',
      '',
    ]);
    expect(r.stderr).toBe('Showing 1-2 of 7 devices (--offset, --limit or --all for more).\n');
  });
});
