import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** The sbin/bin directories a non-root PATH may lack. */
export const SYSTEM_BIN_DIRS: readonly string[] = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

/**
 * Finds the executable `name` in the directories of `path` (a PATH value), then in `extraDirs`
 * not already searched; `undefined` when none holds an executable file of that name.
 */
export async function findOnPath(
  name: string,
  path: string | undefined,
  extraDirs: readonly string[] = [],
): Promise<string | undefined> {
  const dirs = (path ?? '').split(delimiter).filter((d) => d !== '');
  for (const extra of extraDirs) if (!dirs.includes(extra)) dirs.push(extra);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}
