import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Everything the site writes (database, log, state, content library, master key) is readable by
 * the service account only: files 0600, folders 0700, whatever the mode of a data directory made
 * beforehand (a package's /var/lib/steward is often 0755). The CLI also sets umask 077; these
 * explicit modes keep that true for code run in-process (tests) and for files made earlier.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

/** Creates `dir` (and missing parents) 0700, and makes an existing `dir` 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty 0600 when absent, and makes an existing one 0600 (SQLite opens it next). */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** chmod 0600 when the file exists (a database's -wal and -shm). */
export function tightenIfExists(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

/** Writes `path` 0600 through a temporary file renamed over it. */
export function writePrivateFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, path);
}

/**
 * At start: folders under `root` to 0700 and files to 0600, for data written by an older version
 * or under a wider umask. Symbolic links are not followed (an administrator's link to elsewhere
 * is left alone); entries that vanish meanwhile are skipped.
 */
export function tightenTree(root: string): void {
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue;
      throw err;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const st = lstatSync(path);
        if (st.isDirectory()) {
          if ((st.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
          pending.push(path);
        } else if (st.isFile() && (st.mode & 0o777) !== PRIVATE_FILE_MODE) {
          chmodSync(path, PRIVATE_FILE_MODE);
        }
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
  }
}

/** The data directory of a server or DP process: made private, with everything already in it. */
export function securePrivateDataDir(dataDir: string): void {
  ensurePrivateDir(dataDir);
  tightenTree(dataDir);
}
