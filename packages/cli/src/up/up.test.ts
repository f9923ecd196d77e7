import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../connection.js';
import { createContext } from '../context.js';
import { createStyle } from '../output/style.js';
import { createHarness, route } from '../../test/support/harness.js';
import { ensureEnrolmentToken } from './up-session.js';
import { agentArgs, lineSplitter } from './agent-process.js';
import { renderBanner } from './banner.js';
import { explainListenError } from './ports.js';
import { loadStartServer, parseRoles } from './site-server.js';
import { parseUpState, readEnrolledDeviceId, readUpState, writeUpState } from './up-state.js';

const plain = createStyle(false);

describe('banner', () => {
  const base = {
    adminUrl: 'http://127.0.0.1:8080',
    agentUrl: 'https://box:8443',
    cliSignedIn: true,
  };

  it('shows the generated password, this machine and the enrolment command', () => {
    const text = renderBanner(
      {
        ...base,
        password: { kind: 'generated', password: 'pw-1' },
        device: { name: 'box', state: 'inventory received' },
        enrolment: { token: 'stw1.t', expiresAt: '2025-06-08T12:00:00Z', maxUses: 100 },
      },
      plain,
    );
    expect(text).toContain('   Console       http://127.0.0.1:8080\n');
    expect(text).toContain('   User          admin\n');
    expect(text).toContain('   Password      pw-1  (generated; shown only this once: keep it)\n');
    expect(text).toContain('   This machine  box (inventory received)\n');
    expect(text).toContain('   steward-agent enroll --token stw1.t\n');
    expect(text).toContain('try "steward device list"');
  });

  it('says where the password comes from on later starts', () => {
    expect(renderBanner({ ...base, password: { kind: 'env' } }, plain)).toContain(
      'Password      as set in STEWARD_ADMIN_PASSWORD',
    );
    const later = renderBanner(
      { ...base, password: { kind: 'unknown' }, cliSignedIn: false },
      plain,
    );
    expect(later).toContain('Password      (set at first start)');
    expect(later).toContain('run "steward token create"');
    expect(later).not.toContain('steward device list');
  });
});

describe('agent process helpers', () => {
  it('splits output into lines across chunks', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    s.push('one\ntw');
    s.push(Buffer.from('o\r\nthree'));
    expect(lines).toEqual(['one', 'two']);
    s.flush();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('builds the enrol and run command lines', () => {
    expect(agentArgs('enroll', '/d/agent', 'stw1.x')).toEqual([
      'enroll',
      '--token',
      'stw1.x',
      '--state-dir',
      '/d/agent',
    ]);
    expect(agentArgs('run', '/d/agent')).toEqual(['run', '--state-dir', '/d/agent']);
  });
});

describe('listen errors', () => {
  const listens = [
    { flag: '--admin-listen', host: '127.0.0.1', port: 8080 },
    { flag: '--agent-listen', host: '0.0.0.0', port: 8443 },
  ];

  it('names the flag of the port that is taken', () => {
    const err = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8443 });
    expect(explainListenError(err, listens)).toMatchObject({
      code: 'PORT_IN_USE',
      message:
        '0.0.0.0:8443 is already in use (another Steward, or another program); choose another port with --agent-listen 0.0.0.0:8444',
    });
    const other = new Error('boom');
    expect(explainListenError(other, listens)).toBe(other);
  });
});

describe('site server', () => {
  // The contract itself is the server's own type (tsconfig.test.json checks the fakes against
  // it); what is left to test is that the CLI loads that very function, and checks --roles.
  // Importing the whole server takes 10-20 s on a loaded 2-core machine (measured 15-17 s for
  // this file alone at load average 24-27): more than the project's 20 s default once other
  // files run beside it.
  it('loads startServer from @steward/server', { timeout: 90_000 }, async () => {
    const server = await import('@steward/server');
    expect(await loadStartServer()).toBe(server.startServer);
  });

  it('takes the roles the server knows and refuses any other', () => {
    expect(parseRoles(['admin', 'mp', 'scheduler', 'dp'])).toEqual([
      'admin',
      'mp',
      'scheduler',
      'dp',
    ]);
    expect(() => parseRoles(['admin', 'web'])).toThrow(/unknown role "web"/);
  });
});

describe('up state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-up-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips and ignores what it does not know', async () => {
    expect(await readUpState(dir)).toEqual({});
    await writeUpState(dir, { sessionToken: 's', enrolmentToken: 'stw1.x' });
    expect(await readUpState(dir)).toEqual({ sessionToken: 's', enrolmentToken: 'stw1.x' });
    expect(parseUpState({ sessionToken: 5, adminUrl: 'http://x', extra: 'y' })).toEqual({
      adminUrl: 'http://x',
    });
    await writeFile(join(dir, 'up.json'), 'not json');
    expect(await readUpState(dir)).toEqual({});
  });

  it('reads the enrolled device id of the agent', async () => {
    expect(await readEnrolledDeviceId(join(dir, 'agent'))).toBeUndefined();
    await mkdir(join(dir, 'agent'));
    await writeFile(
      join(dir, 'agent', 'device.json'),
      JSON.stringify({ deviceId: 'dev-9', deviceKey: 'k' }),
    );
    expect(await readEnrolledDeviceId(join(dir, 'agent'))).toBe('dev-9');
  });
});

describe('enrolment token for up', () => {
  const token = {
    id: 'tk-1',
    description: '',
    createdAt: '2025-06-01T00:00:00Z',
    createdBy: 'admin',
    expiresAt: '2025-06-08T00:00:00Z',
    maxUses: 100,
    uses: 1,
    revoked: false,
  };
  const routes = [
    route('GET', '/enrolment-tokens', () => [token]),
    route('POST', '/enrolment-tokens', () => ({ ...token, id: 'tk-2', token: 'stw1.new' })),
  ];

  it('reuses the kept token for the same agent URL and makes a new one for another', async () => {
    const h = createHarness({ routes });
    const client = createClient(h.io, 'http://site.test', 't');
    const ctx = createContext(h.io);
    const state = {
      enrolmentTokenId: 'tk-1',
      enrolmentToken: 'stw1.old',
      enrolmentAgentUrl: 'https://a:8443',
    };
    expect(await ensureEnrolmentToken(ctx, client, state, 'https://a:8443')).toEqual({
      token: 'stw1.old',
      expiresAt: token.expiresAt,
      maxUses: 100,
    });
    expect(await ensureEnrolmentToken(ctx, client, state, 'https://b:8443')).toMatchObject({
      token: 'stw1.new',
    });
    expect(state).toEqual({
      enrolmentTokenId: 'tk-2',
      enrolmentToken: 'stw1.new',
      enrolmentAgentUrl: 'https://b:8443',
    });
  });
});
