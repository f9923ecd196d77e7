import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConnection } from './connection.js';
import { CliError } from './errors.js';
import {
  configDir,
  deleteSession,
  parseSession,
  readSession,
  sessionPath,
  writeSession,
  type Session,
} from './session.js';
import { createHarness } from '../test/support/harness.js';

const session: Session = {
  server: 'http://127.0.0.1:8080',
  token: 'secret-token',
  userName: 'admin',
  role: 'full-administrator',
  expiresAt: '2025-06-02T12:00:00Z',
  createdAt: '2025-06-01T12:00:00Z',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('config directory', () => {
  it('prefers STEWARD_CONFIG_DIR, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configDir({ STEWARD_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/b', HOME: '/h' })).toBe('/a');
    expect(configDir({ XDG_CONFIG_HOME: '/b', HOME: '/h' })).toBe('/b/steward');
    expect(configDir({ HOME: '/h' })).toBe('/h/.config/steward');
    expect(sessionPath({ STEWARD_CONFIG_DIR: '/a' })).toBe('/a/session.json');
  });
});

describe('session file', () => {
  it('is written with mode 0600 in a 0700 directory and read back', async () => {
    const env = { STEWARD_CONFIG_DIR: join(dir, 'nested', 'steward') };
    const path = await writeSession(env, session);
    expect(path).toBe(join(dir, 'nested', 'steward', 'session.json'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested', 'steward'))).mode & 0o777).toBe(0o700);
    expect(await readSession(env)).toEqual(session);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(session);
  });

  it('tightens the mode when replacing a file that was readable by others', async () => {
    const env = { STEWARD_CONFIG_DIR: dir };
    await writeFile(join(dir, 'session.json'), '{}', { mode: 0o644 });
    await writeSession(env, session);
    expect((await stat(join(dir, 'session.json'))).mode & 0o777).toBe(0o600);
  });

  it('is absent before login and after logout', async () => {
    const env = { STEWARD_CONFIG_DIR: dir };
    expect(await readSession(env)).toBeUndefined();
    await writeSession(env, session);
    expect(await deleteSession(env)).toBe(true);
    expect(await deleteSession(env)).toBe(false);
    expect(await readSession(env)).toBeUndefined();
  });

  it('reports a damaged file with the way out', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'session.json'), '{"server": 1}');
    const err = await readSession({ STEWARD_CONFIG_DIR: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code: 'SESSION_CORRUPT' });
    expect(parseSession({ ...session, token: '' })).toBeUndefined();
    expect(parseSession(null)).toBeUndefined();
  });
});

describe('connection', () => {
  it('uses the stored session, and env variables override it', async () => {
    await writeSession({ STEWARD_CONFIG_DIR: dir }, session);
    const stored = createHarness({ env: { STEWARD_CONFIG_DIR: dir } });
    expect(await resolveConnection(stored.io)).toEqual({
      server: session.server,
      token: 'secret-token',
      source: 'session',
    });
    const env = createHarness({ env: { STEWARD_CONFIG_DIR: dir, STEWARD_TOKEN: 'env-token' } });
    expect(await resolveConnection(env.io)).toEqual({
      server: session.server,
      token: 'env-token',
      source: 'env',
    });
  });

  it('never sends the stored token to another server', async () => {
    await writeSession({ STEWARD_CONFIG_DIR: dir }, session);
    const h = createHarness({
      env: { STEWARD_CONFIG_DIR: dir, STEWARD_SERVER: 'other.example:8080' },
    });
    expect(await resolveConnection(h.io)).toEqual({
      server: 'http://other.example:8080',
      token: undefined,
      source: 'none',
    });
  });

  it('needs a server from somewhere', async () => {
    const h = createHarness({ env: { STEWARD_CONFIG_DIR: dir } });
    await expect(resolveConnection(h.io)).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });
});
