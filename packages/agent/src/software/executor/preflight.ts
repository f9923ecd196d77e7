import { stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import type { LoggedOnUser } from './logged-on-user.js';
import type { RunFailure, RunRecord } from './run-record.js';

/**
 * What must hold before a program is spawned: the working directory is a directory inside the
 * package, and a program that runs as the logged-on user has one. A failure here is the run's
 * outcome (nothing was started), not an error of the agent.
 */
export async function checkBeforeRun(
  record: RunRecord,
  findUser: () => Promise<LoggedOnUser | undefined>,
): Promise<{ user?: LoggedOnUser; failure?: RunFailure }> {
  const rel = relative(record.packageDir, record.workDir);
  if (rel.startsWith('..') || isAbsolute(rel))
    return {
      failure: {
        reasonCode: 'BAD_WORKING_DIRECTORY',
        reason: 'working directory leaves the package',
      },
    };
  const isDir = await stat(record.workDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    return {
      failure: {
        reasonCode: 'BAD_WORKING_DIRECTORY',
        reason: `working directory ${relative(record.packageDir, record.workDir) || '.'} is not in the package`,
      },
    };
  if (record.runAs === 'root') return {};
  const user = await findUser();
  if (user === undefined)
    return {
      failure: {
        reasonCode: 'NO_LOGGED_ON_USER',
        reason: 'the program runs as the logged-on user and nobody is logged on',
      },
    };
  return { user };
}
