import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import type { ClassCollector, CollectContext } from './types.js';

export const DEFAULT_MAX_SOFTWARE_FILES = 20_000;
export const MAX_HASHED_FILE_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 32;

export interface SoftwareScanResult {
  files: InventoryInstance[];
  /** The file limit was reached; more executables exist than were reported. */
  truncated: boolean;
  /** Entries that could not be read (permissions, vanished while scanning). */
  unreadable: number;
}

const HASH_CHUNK_BYTES = 256 * 1024;
let hashBuffer: Buffer | undefined;

/**
 * Hashes through one reused buffer: a read stream allocates a new 64 KiB Buffer per chunk, and
 * hashing /usr/local/bin (128 MB here) that way raised the agent's peak RSS by 18 MB before the
 * garbage collector caught up. The scan hashes one file at a time, so one buffer is enough.
 */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const buf = (hashBuffer ??= Buffer.allocUnsafe(HASH_CHUNK_BYTES));
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

async function statOrUndefined(fn: () => Promise<Stats>): Promise<Stats | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

/**
 * Finds executable regular files under the configured directories (software inventory, the
 * SMS "software files" analog). Symlinks are followed, but every directory is entered once by
 * (device, inode), so symlink loops end. Bounded to `maxFiles`; files under 64 MB get a SHA-256.
 */
export async function scanSoftwareFiles(
  roots: readonly string[],
  maxFiles = DEFAULT_MAX_SOFTWARE_FILES,
  maxHashBytes = MAX_HASHED_FILE_BYTES,
): Promise<SoftwareScanResult> {
  const result: SoftwareScanResult = { files: [], truncated: false, unreadable: 0 };
  const visitedDirs = new Set<string>();
  const reported = new Set<string>();

  const walk = async (dir: string, depth: number): Promise<void> => {
    const dirStat = await statOrUndefined(() => stat(dir));
    if (dirStat === undefined || !dirStat.isDirectory()) return;
    const key = `${dirStat.dev}:${dirStat.ino}`;
    if (visitedDirs.has(key) || depth > MAX_DEPTH) return;
    visitedDirs.add(key);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      result.unreadable++;
      return;
    }
    for (const name of names) {
      if (result.files.length >= maxFiles) {
        result.truncated = true;
        return;
      }
      const path = join(dir, name);
      const link = await statOrUndefined(() => lstat(path));
      // stat follows symlinks; a dangling link has no target and is skipped.
      const target =
        link?.isSymbolicLink() === true ? await statOrUndefined(() => stat(path)) : link;
      if (target === undefined) {
        result.unreadable++;
        continue;
      }
      if (target.isDirectory()) {
        await walk(path, depth + 1);
        continue;
      }
      if (!target.isFile() || (target.mode & 0o111) === 0 || reported.has(path)) continue;
      reported.add(path);
      let sha256: string | null = null;
      if (target.size < maxHashBytes) {
        try {
          sha256 = await sha256File(path);
        } catch {
          result.unreadable++;
        }
      }
      result.files.push({
        path,
        name: basename(path),
        sizeBytes: target.size,
        modifiedAt: target.mtime.toISOString(),
        sha256,
      });
    }
  };

  for (const root of roots) {
    if (result.files.length >= maxFiles) {
      result.truncated = true;
      break;
    }
    await walk(root, 0);
  }
  return result;
}

export const softwareFileCollector: ClassCollector = {
  className: 'softwareFile',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    return (await scanSoftwareFiles(ctx.softwareScanPaths, ctx.maxSoftwareFiles)).files;
  },
};
