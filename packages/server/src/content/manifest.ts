import { ErrorCode, type ManifestEntry, InputError } from '@steward/protocol';

/**
 * Why a relative package path is unusable, or undefined when it is fine. The schema already
 * refuses `..` and a leading `/`; agents also need no empty or `.` segments (`a//b`, `a/./b`,
 * `dir/`), which would name the same file twice or a folder.
 */
export function badPathReason(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.startsWith('/')) return 'is absolute';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.includes('\\')) return 'contains a backslash';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Checks a manifest as a whole: good paths, each path once, and no path that is both a file and
 * a folder (`bin` and `bin/run.sh`), which an agent could not lay out. `code` is the error code
 * to refuse with (INVALID_INPUT for a JSON manifest, INVALID_ARCHIVE for an archive).
 */
export function checkManifest(
  files: readonly ManifestEntry[],
  code: ErrorCode = ErrorCode.INVALID_INPUT,
): void {
  const paths = new Set<string>();
  for (const f of files) {
    const reason = badPathReason(f.path);
    if (reason) throw new InputError(code, `path "${f.path}" ${reason}`, { path: f.path });
    if (paths.has(f.path))
      throw new InputError(ErrorCode.DUPLICATE_PATH, `path "${f.path}" appears twice`, {
        path: f.path,
      });
    paths.add(f.path);
  }
  for (const path of paths) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (paths.has(folder))
        throw new InputError(
          ErrorCode.DUPLICATE_PATH,
          `"${folder}" is both a file and the folder of "${path}"`,
          { path: folder },
        );
    }
  }
}
