import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRecord } from '@steward/protocol';
import { CliError, errorMessage } from './errors.js';

/** What `steward login` keeps between commands. The token is a secret: the file is mode 0600. */
export interface Session {
  server: string;
  token: string;
  userName: string;
  role: string;
  expiresAt: string;
  createdAt: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `$STEWARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/steward`, else `~/.config/steward`. */
export function configDir(env: Env): string {
  const explicit = env['STEWARD_CONFIG_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'steward');
}

export function sessionPath(env: Env): string {
  return join(configDir(env), 'session.json');
}

/** Checks the shape of a session read from disk; undefined when it is not one. */
export function parseSession(value: unknown): Session | undefined {
  if (!isRecord(value)) return undefined;
  const keys = ['server', 'token', 'userName', 'role', 'expiresAt', 'createdAt'] as const;
  const out: Partial<Record<(typeof keys)[number], string>> = {};
  for (const k of keys) {
    const v = value[k];
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  const { server, token, userName, role, expiresAt, createdAt } = out;
  if (
    !server ||
    !token ||
    userName === undefined ||
    role === undefined ||
    expiresAt === undefined ||
    createdAt === undefined
  ) {
    return undefined;
  }
  return { server, token, userName, role, expiresAt, createdAt };
}

/** The stored session, or undefined when there is none. A damaged file is an error that says how to fix it. */
export async function readSession(env: Env): Promise<Session | undefined> {
  const path = sessionPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw new CliError('SESSION_UNREADABLE', `cannot read ${path}: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const session = parseSession(parsed);
  if (!session) {
    throw new CliError(
      'SESSION_CORRUPT',
      `${path} is not a Steward session; run "steward logout" and sign in again`,
    );
  }
  return session;
}

/** Writes atomically (temp file + rename) with mode 0600 in a 0700 directory. */
export async function writeSession(env: Env, session: Session): Promise<string> {
  const dir = configDir(env);
  const path = sessionPath(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

/** Removes the stored session; false when there was none. */
export async function deleteSession(env: Env): Promise<boolean> {
  const path = sessionPath(env);
  try {
    await rm(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw new CliError('SESSION_UNREADABLE', `cannot remove ${path}: ${errorMessage(err)}`);
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}
