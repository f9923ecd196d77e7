import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSession } from '../session.js';
import {
  apiError,
  createHarness,
  reply,
  route,
  run,
  type Route,
} from '../../test/support/harness.js';
import { deviceDetail, user } from '../../test/support/fixtures.js';
import type { ServerOptions } from '../up/site-server.js';

/** Stands in for steward-agent: `enroll` writes device.json, `run` prints and waits for SIGTERM. */
const FAKE_AGENT = `
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
const [cmd, ...rest] = process.argv.slice(2);
const dir = rest[rest.indexOf('--state-dir') + 1];
const log = () => appendFileSync(join(process.env.FAKE_AGENT_LOG, 'calls'), process.argv.slice(2).join(' ') + '\\n');
if (cmd === 'enroll') {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'device.json'), JSON.stringify({ deviceId: 'dev-up' }));
  console.log('enrolled as dev-up');
  log();
} else {
  process.on('SIGTERM', () => { console.error('agent stopping'); process.exit(0); });
  setInterval(() => {}, 1000);
  console.log('agent running');
  log();
}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-up-'));
  await writeFile(join(dir, 'fake-agent.mjs'), FAKE_AGENT);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeSite(opts: { generated?: string; tokens?: unknown[]; calls: string; runs?: number }) {
  const started: ServerOptions[] = [];
  let closed = 0;
  let deviceCalls = 0;
  const created = {
    id: 'tk-1',
    description: 'up',
    createdAt: '2025-06-01T12:00:00Z',
    createdBy: 'admin',
    expiresAt: '2025-06-08T12:00:00Z',
    maxUses: 100,
    uses: 0,
    revoked: false,
    token: 'stw1.secret',
  };
  const routes: Route[] = [
    route('POST', '/auth/login', () => ({
      token: 'sess-1',
      expiresAt: '2025-06-02T12:00:00Z',
      user: user(),
    })),
    route('GET', '/auth/me', (req) =>
      req.authorization === 'Bearer sess-1' ? user() : apiError(401, 'UNAUTHENTICATED', 'no'),
    ),
    route('GET', '/enrolment-tokens', () => opts.tokens ?? []),
    route('POST', '/enrolment-tokens', () => created),
    route('GET', '/devices/:id', () => {
      deviceCalls += 1;
      if (deviceCalls === 1) return reply(404, { code: 'NOT_FOUND', message: 'no' });
      // "Inventory" arrives once the fake agent runs (it logs after installing its SIGTERM handler).
      const runs = existsSync(opts.calls)
        ? readFileSync(opts.calls, 'utf8').split('run --state-dir').length - 1
        : 0;
      const running = runs >= (opts.runs ?? 1);
      return deviceDetail({
        id: 'dev-up',
        name: 'this-box',
        lastInventoryAt: '2025-06-01T11:00:00Z',
        lastContactAt: running ? '2025-06-01T12:00:00Z' : '2025-06-01T11:00:00Z',
      });
    }),
  ];
  return {
    routes,
    started,
    closed: () => closed,
    loadServer: () =>
      Promise.resolve(async (o: ServerOptions) => {
        started.push(o);
        return {
          adminUrl: 'http://site.test',
          agentUrl: 'https://site.test:8443',
          generatedAdminPassword: opts.generated,
          close: async () => void (closed += 1),
        };
      }),
  };
}

const args = [
  'up',
  '--data',
  'data',
  '--admin-listen',
  '127.0.0.1:0',
  '--agent-listen',
  '127.0.0.1:0',
];

describe('steward up', () => {
  it('starts the site, signs in, enrols and runs the agent, prints the banner, and stops on Ctrl-C', async () => {
    const site = fakeSite({ generated: 'gen-pw-123', calls: join(dir, 'calls') });
    const env = {
      STEWARD_CONFIG_DIR: join(dir, 'config'),
      STEWARD_AGENT_BIN: join(dir, 'fake-agent.mjs'),
      FAKE_AGENT_LOG: dir,
    };
    const h = createHarness({
      routes: site.routes,
      env,
      cwd: dir,
      loadServer: site.loadServer,
      realSleep: true,
    });
    const done = run(h, ...args);
    await h.stdout.waitFor('Press Ctrl-C to stop.');
    h.interrupt();
    const r = await done;
    expect(r.code).toBe(0);

    expect(site.started).toEqual([
      {
        dataDir: join(dir, 'data'),
        adminListen: '127.0.0.1:0',
        agentListen: '127.0.0.1:0',
        logLevel: 'warn',
      },
    ]);
    expect(site.closed()).toBe(1);
    const agentDir = join(dir, 'data', 'agent');
    expect((await readFile(join(dir, 'calls'), 'utf8')).trim().split('\n')).toEqual([
      `enroll --token stw1.secret --state-dir ${agentDir}`,
      `run --state-dir ${agentDir}`,
    ]);
    expect(r.stdout).toContain('agent | enrolled as dev-up\n');
    expect(r.stdout).toContain('agent | agent running\n');
    expect(r.stdout).toMatch(/Console +http:\/\/site\.test/);
    expect(r.stdout).toMatch(/Password +gen-pw-123 +\(generated; shown only this once/);
    expect(r.stdout).toContain('This machine  this-box (inventory received)');
    expect(r.stdout).toContain('steward-agent enroll --token stw1.secret');
    expect(r.stderr).toContain('agent | agent stopping');
    expect(await readSession(env)).toMatchObject({
      server: 'http://site.test',
      token: 'sess-1',
      userName: 'admin',
    });
    const state: unknown = JSON.parse(await readFile(join(dir, 'data', 'up.json'), 'utf8'));
    expect(state).toMatchObject({
      sessionToken: 'sess-1',
      enrolmentTokenId: 'tk-1',
      enrolmentToken: 'stw1.secret',
    });
    expect((await stat(join(dir, 'data', 'up.json'))).mode & 0o777).toBe(0o600);

    // Second start: no generated password, no enrolment; the kept session and token are reused.
    const again = fakeSite({
      calls: join(dir, 'calls'),
      runs: 2,
      tokens: [
        {
          id: 'tk-1',
          description: 'up',
          createdAt: '2025-06-01T12:00:00Z',
          createdBy: 'admin',
          expiresAt: '2025-06-08T12:00:00Z',
          maxUses: 100,
          uses: 1,
          revoked: false,
        },
      ],
    });
    const h2 = createHarness({
      routes: again.routes,
      env,
      cwd: dir,
      loadServer: again.loadServer,
      realSleep: true,
    });
    const done2 = run(h2, ...args);
    await h2.stdout.waitFor('Press Ctrl-C to stop.');
    h2.interrupt();
    const r2 = await done2;
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/Password +\(set at first start\)/);
    expect(r2.stdout).toContain('steward-agent enroll --token stw1.secret');
    expect(h2.requests.some((q) => q.method === 'POST')).toBe(false);
    expect((await readFile(join(dir, 'calls'), 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('says which flag to change when a port is taken', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const address = busy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const h = createHarness({ cwd: dir, loadServer: fakeSite({ calls: '' }).loadServer });
      const r = await run(
        h,
        'up',
        '--data',
        'data',
        '--admin-listen',
        `127.0.0.1:${port}`,
        '--agent-listen',
        '127.0.0.1:0',
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error PORT_IN_USE: 127.0.0.1:${port} is already in use (another Steward, or another program); choose another port with --admin-listen 127.0.0.1:${port + 1}\n`,
      );
    } finally {
      busy.close();
    }
  });
});

describe('steward server', () => {
  it('prints the console URL and the generated password once, and closes on SIGTERM', async () => {
    const site = fakeSite({ generated: 'gen-pw', calls: '' });
    const h = createHarness({
      cwd: dir,
      loadServer: site.loadServer,
      env: { STEWARD_ADMIN_PASSWORD: 'from-env' },
    });
    const done = run(
      h,
      'server',
      '--data',
      'srv',
      '--admin-listen',
      '0.0.0.0:9090',
      '--roles',
      'admin,mp',
      '--db',
      'postgres://x/y',
      '--public-url',
      'https://steward.example:8443',
    );
    await h.stdout.waitFor('Admin:');
    h.interrupt();
    const r = await done;
    expect(r.code).toBe(0);
    expect(site.started).toEqual([
      {
        dataDir: join(dir, 'srv'),
        adminListen: '0.0.0.0:9090',
        agentListen: '0.0.0.0:8443',
        db: 'postgres://x/y',
        publicUrl: 'https://steward.example:8443',
        roles: ['admin', 'mp'],
        adminPassword: 'from-env',
      },
    ]);
    expect(r.stdout).toContain('Console:  http://site.test\n');
    expect(r.stdout.match(/gen-pw/g)).toHaveLength(1);
    expect(site.closed()).toBe(1);
  });

  it('needs --data', async () => {
    for (const args of [['server'], ['server', 'rotate-master-key']])
      expect(await run(createHarness(), ...args)).toMatchObject({
        code: 2,
        stderr: 'error USAGE: --data is required\n',
      });
  });
});
