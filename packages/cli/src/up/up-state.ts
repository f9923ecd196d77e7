import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord } from '@steward/protocol';

/**
 * `<data>/up.json`: what `steward up` remembers between starts, so a restart can sign in and
 * show an enrolment command without knowing the admin password (it is shown only once).
 * Holds secrets, hence mode 0600.
 */
export interface UpState {
  adminUrl?: string;
  sessionToken?: string;
  sessionExpiresAt?: string;
  enrolmentTokenId?: string;
  enrolmentToken?: string;
  /** The agent URL inside that token: a token for another address is not reused. */
  enrolmentAgentUrl?: string;
}

const KEYS = [
  'adminUrl',
  'sessionToken',
  'sessionExpiresAt',
  'enrolmentTokenId',
  'enrolmentToken',
  'enrolmentAgentUrl',
] as const;

export function upStatePath(dataDir: string): string {
  return join(dataDir, 'up.json');
}

/** Keeps the string fields it knows; anything else (or a damaged file) is dropped, never fatal. */
export function parseUpState(value: unknown): UpState {
  const state: UpState = {};
  if (!isRecord(value)) return state;
  for (const k of KEYS) {
    const v = value[k];
    if (typeof v === 'string' && v !== '') state[k] = v;
  }
  return state;
}

export async function readUpState(dataDir: string): Promise<UpState> {
  try {
    return parseUpState(JSON.parse(await readFile(upStatePath(dataDir), 'utf8')));
  } catch {
    return {};
  }
}

export async function writeUpState(dataDir: string, state: UpState): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = upStatePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** `<agent state dir>/device.json` -> its device id, or undefined when not enrolled. */
export async function readEnrolledDeviceId(agentStateDir: string): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(agentStateDir, 'device.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'deviceId' in parsed &&
    typeof parsed.deviceId === 'string' &&
    parsed.deviceId !== ''
  ) {
    return parsed.deviceId;
  }
  return undefined;
}
