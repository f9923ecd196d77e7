import { chmod, copyFile, link, lstat, mkdir, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ManifestEntry } from '@steward/protocol';
import { AgentError } from '../../errors.js';
import { isErrnoException } from '../../state/atomic-file.js';

/** Resolves a manifest path inside `dir`, refusing anything that would land outside it. */
export function pathInside(dir: string, relPath: string): string {
  const target = resolve(dir, relPath);
  const rel = relative(dir, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new AgentError('BAD_MANIFEST_PATH', `manifest path "${relPath}" leaves the package`);
  return target;
}

/**
 * The mode a package file gets: the manifest's, without group/other write and set-id bits. The
 * package directory is reachable by every local user (runs as the logged-on user need it), and
 * the files are the verified cache inodes run as root: a world-writable one could be changed
 * after verification, a set-uid one would be a root program for anyone while the layout exists.
 */
export function layoutMode(manifestMode: number): number {
  return manifestMode & 0o755;
}

/**
 * Makes `dir` hold every manifest file, each a hard link to its verified source (a copy when
 * linking is impossible or the source inode is shared with a different mode), with the manifest's
 * mode (see `layoutMode`). Existing entries that already are the right inode with the right mode are kept, so a
 * program still running from an earlier layout of the same version is not disturbed; anything
 * else at a manifest path is replaced.
 */
export async function syncLayout(
  dir: string,
  files: readonly ManifestEntry[],
  sourceOf: (sha256: string) => string,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const entry of files) {
    const target = pathInside(dir, entry.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await placeFile(sourceOf(entry.sha256), target, layoutMode(entry.mode));
  }
}

async function placeFile(src: string, target: string, mode: number): Promise<void> {
  const source = await stat(src);
  const existing = await lstat(target).catch((err: unknown) => {
    if (isErrnoException(err) && err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) {
    const same =
      existing.isFile() &&
      existing.ino === source.ino &&
      existing.dev === source.dev &&
      (existing.mode & 0o7777) === mode;
    if (same) return;
    if (existing.isDirectory()) await rm(target, { recursive: true, force: true });
    else await unlink(target);
  }
  // Mode belongs to the inode: change it only when no other layout shares the file.
  if ((source.mode & 0o7777) !== mode && source.nlink === 1) await chmod(src, mode);
  const linkable = (source.mode & 0o7777) === mode || source.nlink === 1;
  if (linkable) {
    try {
      await link(src, target);
      return;
    } catch (err) {
      // EXDEV (another file system), EPERM (protected_hardlinks), EMLINK: a copy will do.
      if (!isErrnoException(err)) throw err;
    }
  }
  await copyFile(src, target);
  await chmod(target, mode);
}
