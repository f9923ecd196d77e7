import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoException } from './atomic-file.js';

/** Sub-folders that hold only the agent's own records (content layouts are not among them). */
const PRIVATE_TREES = ['outbox', 'runs'];

async function tighten(path: string, recurse: boolean): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') return;
    throw err;
  }
  if (st.isFile()) {
    if ((st.mode & 0o777) !== 0o600) await chmod(path, 0o600);
    return;
  }
  if (!st.isDirectory() || !recurse) return;
  if ((st.mode & 0o777) !== 0o700) await chmod(path, 0o700);
  for (const name of await readdir(path)) await tighten(join(path, name), true);
}

/**
 * The state folder holds the device key, policy and outbox: readable by root only, whatever the
 * mode the folder had (a package may make /var/lib/steward-agent 0755; an older version wrote
 * some files 0644). The folder becomes 0700 (the software-center socket later adds the search
 * bit so logged-on users reach `center.sock`), its files 0600, the outbox and run records too.
 * Content (`cache`, `packages`) keeps the modes the package's manifest gives it.
 */
export async function securePrivateState(stateDir: string): Promise<void> {
  await chmod(stateDir, 0o700);
  for (const name of await readdir(stateDir)) {
    await tighten(join(stateDir, name), PRIVATE_TREES.includes(name));
  }
}
