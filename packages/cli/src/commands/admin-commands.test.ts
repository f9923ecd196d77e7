import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHarness,
  reply,
  route,
  run,
  type HarnessOptions,
  type Route,
} from '../../test/support/harness.js';
import { user } from '../../test/support/fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[], opts: HarnessOptions = {}) =>
  createHarness({ ...opts, routes, env });

describe('token', () => {
  it('create --json prints an object with the token', async () => {
    const created = {
      id: 'tk1',
      description: 'lab',
      createdAt: '2025-06-01T12:00:00Z',
      createdBy: 'admin',
      expiresAt: '2025-06-02T12:00:00Z',
      maxUses: 5,
      uses: 0,
      revoked: false,
      token: 'stw1.abc',
    };
    const h = site([route('POST', '/enrolment-tokens', () => created)]);
    const r = await run(
      h,
      'token',
      'create',
      '--description',
      'lab',
      '--expires-in-hours',
      '24',
      '--max-uses',
      '5',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(created);
    expect(h.requests[0]?.body).toEqual({ description: 'lab', expiresInHours: 24, maxUses: 5 });
    const human = await run(
      site([route('POST', '/enrolment-tokens', () => created)]),
      'token',
      'create',
    );
    expect(human.stdout).toContain('  steward-agent enroll --token stw1.abc\n');
  });

  it('checks --expires-in-hours', async () => {
    const r = await run(site([]), 'token', 'create', '--expires-in-hours', '9000');
    expect(r).toMatchObject({
      code: 2,
      stderr: 'error USAGE: --expires-in-hours must be between 1 and 8760, got 9000\n',
    });
  });
});

describe('user', () => {
  const users = [user(), user({ id: 'u-2', name: 'bob', role: 'read-only-analyst' })];

  it('update addresses the user by id, found by name', async () => {
    const h = site(
      [
        route('GET', '/users', () => users),
        route('PATCH', '/users/:id', () => user({ id: 'u-2', name: 'bob', disabled: true })),
      ],
      { stdin: 'new password 1\n' },
    );
    const r = await run(
      h,
      'user',
      'update',
      'bob',
      '--disable',
      '--role',
      'operations-administrator',
      '--password-stdin',
    );
    expect(r.code).toBe(0);
    const patch = h.requests.find((q) => q.method === 'PATCH');
    expect(patch?.path).toBe('/users/u-2');
    expect(patch?.body).toEqual({
      role: 'operations-administrator',
      disabled: true,
      password: 'new password 1',
    });
  });

  it('--disable and --enable exclude each other; a role must be a known one', async () => {
    expect((await run(site([]), 'user', 'update', 'bob', '--disable', '--enable')).code).toBe(2);
    const bad = await run(
      site([]),
      'user',
      'create',
      'carol',
      '--role',
      'boss',
      '--password-stdin',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error USAGE: option '--role <role>' argument 'boss' is invalid/);
  });

  it('create reads the password from stdin', async () => {
    const h = site([route('POST', '/users', () => user({ name: 'carol' }))], {
      stdin: 'longenough\n',
    });
    expect(
      (await run(h, 'user', 'create', 'carol', '--role', 'read-only-analyst', '--password-stdin'))
        .code,
    ).toBe(0);
    expect(h.requests[0]?.body).toEqual({
      name: 'carol',
      role: 'read-only-analyst',
      password: 'longenough',
    });
  });

  it('delete finds the user first', async () => {
    const h = site([
      route('GET', '/users', () => users),
      route('DELETE', '/users/:id', () => reply(204)),
    ]);
    expect(await run(h, 'user', 'delete', 'bob')).toMatchObject({
      code: 0,
      stdout: 'User bob deleted.\n',
    });
    expect(h.requests[1]).toMatchObject({ method: 'DELETE', path: '/users/u-2' });
    expect(
      await run(site([route('GET', '/users', () => users)]), 'user', 'delete', 'zed'),
    ).toMatchObject({ code: 1, stderr: 'error NOT_FOUND: no user with id or name zed\n' });
  });
});

describe('client-settings set', () => {
  it('sends only what was given, durations in seconds', async () => {
    const settings = {
      policyIntervalSeconds: 900,
      heartbeatIntervalSeconds: 60,
      inventoryIntervalSeconds: 86400,
      softwareScanIntervalSeconds: 86400,
      softwareScanPaths: ['/opt', '/usr/local/bin'],
      reportBatchSize: 100,
    };
    const h = site([route('PUT', '/client-settings', () => settings)]);
    const r = await run(
      h,
      'client-settings',
      'set',
      '--policy-interval',
      '15m',
      '--inventory-interval',
      '1d',
      '--software-scan-path',
      '/opt',
      '/usr/local/bin',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(h.requests[0]?.body).toEqual({
      policyIntervalSeconds: 900,
      inventoryIntervalSeconds: 86400,
      softwareScanPaths: ['/opt', '/usr/local/bin'],
    });
    expect(JSON.parse(r.stdout)).toEqual(settings);
  });

  it('sets the content download throttle and cache bound', async () => {
    const h = site([route('PUT', '/client-settings', () => ({}))]);
    const r = await run(
      h,
      'client-settings',
      'set',
      '--content-download-kbps',
      '512',
      '--content-cache-mb',
      '2048',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(h.requests[0]?.body).toEqual({ contentDownloadKbps: 512, contentCacheMb: 2048 });
    expect((await run(site([]), 'client-settings', 'set', '--content-cache-mb', '10')).code).toBe(
      2,
    );
  });

  it('is a usage error without any setting, or with a relative path', async () => {
    expect((await run(site([]), 'client-settings', 'set')).code).toBe(2);
    expect(
      (await run(site([]), 'client-settings', 'set', '--software-scan-path', 'opt')).stderr,
    ).toBe('error USAGE: --software-scan-path must be absolute, got "opt"\n');
    expect((await run(site([]), 'client-settings', 'set', '--heartbeat-interval', '5')).code).toBe(
      2,
    );
  });
});

describe('inventory-class create', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks the definition file and sends it with defaults applied', async () => {
    const def = {
      name: 'appVersion',
      source: { kind: 'file', path: '/etc/app/version', format: 'keyvalue' },
      properties: [{ name: 'version', type: 'version', from: 'VERSION' }],
    };
    await writeFile(join(dir, 'app.json'), JSON.stringify(def));
    const h = site(
      [
        route('POST', '/inventory-classes', () => ({
          name: 'appVersion',
          description: '',
          multiInstance: false,
          builtin: false,
          properties: { version: 'version' },
        })),
      ],
      { cwd: dir },
    );
    const r = await run(h, 'inventory-class', 'create', '--file', 'app.json');
    expect(r).toMatchObject({
      code: 0,
      stdout:
        'Inventory class appVersion created; agents collect it after their next policy fetch.\n',
    });
    expect(h.requests[0]?.body).toEqual({ ...def, description: '', multiInstance: false });
  });

  it('reports where a definition is wrong, without calling the site', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({
        name: 'Bad Name',
        source: { kind: 'file', path: 'relative', format: 'keyvalue' },
        properties: [],
      }),
    );
    const h = site([], { cwd: dir });
    const r = await run(h, 'inventory-class', 'create', '--file', 'bad.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error INVALID_INPUT: bad.json is not a valid inventory class definition\n {2}\/name: /,
    );
    expect(r.stderr).toContain('/properties');
    expect(h.requests).toHaveLength(0);
    await writeFile(join(dir, 'broken.json'), '{');
    expect(
      (await run(site([], { cwd: dir }), 'inventory-class', 'create', '--file', 'broken.json'))
        .stderr,
    ).toMatch(/^error INVALID_JSON: broken.json is not valid JSON/);
  });

  it('update refuses a file for another class', async () => {
    const def = {
      name: 'other',
      source: { kind: 'kernel' },
      properties: [{ name: 'x', type: 'string', from: '/proc/x' }],
    };
    await writeFile(join(dir, 'o.json'), JSON.stringify(def));
    const r = await run(
      site([], { cwd: dir }),
      'inventory-class',
      'update',
      'appVersion',
      '--file',
      'o.json',
    );
    expect(r).toMatchObject({ code: 2 });
  });
});
