import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The site master key: 32 random bytes kept in a 0600 file outside the database. */
export interface MasterKey {
  /** Names the key inside every envelope it seals, so rotation can tell which key sealed what. */
  id: string;
  key: Buffer;
}

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';
export const MASTER_KEY_ENV = 'STEWARD_MASTER_KEY_FILE';

/** The id is a hash of the key: derived, never stored, and it reveals nothing of the key. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('steward master key id\0')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

export function generateMasterKey(): MasterKey {
  const key = randomBytes(MASTER_KEY_BYTES);
  return { id: masterKeyId(key), key };
}

/** `--master-key-file` wins, then STEWARD_MASTER_KEY_FILE, then `<dataDir>/master.key`. */
export function masterKeyPath(
  dataDir: string,
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (given !== undefined && given !== '') return given;
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(dataDir, MASTER_KEY_FILE);
}

/** Where a rotation writes the new key before the database is re-sealed with it. */
export function nextMasterKeyPath(path: string): string {
  return `${path}.next`;
}

/** The key in `path`, or undefined when there is no such file. */
export function readMasterKey(path: string): MasterKey | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== text.trim())
    throw new Error(
      `the master key file ${path} is damaged: it must hold ${MASTER_KEY_BYTES} bytes in base64 on one line`,
    );
  return { id: masterKeyId(key), key };
}

/**
 * Creates a key file 0600, durably; fails with EEXIST when it exists (two processes starting at
 * once: the loser reads the winner's key; a rotation never overwrites a key).
 */
export function writeMasterKey(path: string, key: MasterKey): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${key.key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
