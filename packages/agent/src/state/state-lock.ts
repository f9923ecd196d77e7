import { open, readFile, unlink } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { dirname } from 'node:path';
import { isErrnoException } from './atomic-file.js';
import { securePrivateState } from './private-state.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return isErrnoException(err) && err.code === 'EPERM';
  }
}

/**
 * One agent process per state directory: two would hand out the same outbox sequence numbers.
 * The lock file holds the pid; a lock left by a dead process is taken over.
 */
export async function acquireStateLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      // Every writer of the state holds this lock: the place to make the state private.
      await securePrivateState(dirname(lockPath));
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (err) {
      if (!isErrnoException(err) || err.code !== 'EEXIST') throw err;
      const text = await readFile(lockPath, 'utf8').catch(() => '');
      const pid = Number.parseInt(text.trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new AgentError(
          'STATE_LOCKED',
          `another steward-agent (pid ${pid}) is using ${lockPath}`,
        );
      }
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw new AgentError('STATE_LOCKED', `could not take ${lockPath}`);
}
