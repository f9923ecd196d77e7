import { AppError, ErrorCode } from '@steward/protocol';
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, relative, resolve, sep } from 'node:path';

/** `STEWARD_CONTENT_IMPORT_ROOTS`: folders a folder import may read, separated like PATH. */
export const IMPORT_ROOTS_ENV = 'STEWARD_CONTENT_IMPORT_ROOTS';

/**
 * Where a server-side folder import may read (issue 7, finding 1): nothing unless the process
 * was started with import roots, never the data directory (the database, keys and the content
 * store live there) nor a folder holding it. Roots and the folder asked for are compared after
 * `realpath`, so a symbolic link or `..` cannot lead outside.
 */
export class ImportRoots {
  private constructor(
    readonly roots: readonly string[],
    /** The data directory and, when it lies elsewhere, the SQLite database file. */
    private readonly protectedPaths: readonly string[],
  ) {}

  /** Roots from the options (else the environment), each resolved; a missing one fails the start. */
  static fromConfig(
    given: readonly string[] | undefined,
    site: { dataDir: string; sqliteFile?: string | undefined },
    env: NodeJS.ProcessEnv = process.env,
  ): ImportRoots {
    const listed = given ?? (env[IMPORT_ROOTS_ENV] ?? '').split(delimiter);
    const roots = listed
      .map((r) => r.trim())
      .filter((r) => r !== '')
      .map((r) => {
        try {
          return realpathSync(resolve(r));
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new Error(`content import root "${r}" cannot be used: ${why}`);
        }
      });
    const guarded = [site.dataDir, ...(site.sqliteFile === undefined ? [] : [site.sqliteFile])];
    return new ImportRoots(
      [...new Set(roots)],
      guarded.map((p) => {
        try {
          return realpathSync(resolve(p));
        } catch {
          return resolve(p);
        }
      }),
    );
  }

  /** The real path of `folder` when a folder import may read it; CONTENT_IMPORT_NOT_ALLOWED else. */
  async check(folder: string): Promise<string> {
    if (this.roots.length === 0)
      throw refused(
        folder,
        'folder import is off on this site server (no content import root is configured): upload the content instead, or start the server with --content-import-root <dir>',
      );
    // A folder that does not exist is checked lexically, so the refusal never says whether
    // a path outside the roots exists; importFolder then says it cannot be read.
    const real = isAbsolute(folder) ? await realpath(folder).catch(() => resolve(folder)) : folder;
    if (!isAbsolute(real)) return folder;
    if (this.protectedPaths.some((p) => within(real, p) || within(p, real)))
      throw refused(folder, `"${folder}" is or holds the site server's data directory or database`);
    if (!this.roots.some((root) => within(real, root)))
      throw refused(
        folder,
        `"${folder}" is outside the content import roots of this site server (${this.roots.join(', ')})`,
      );
    return real;
  }
}

/** `child` is `parent` or lies below it. */
function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function refused(folder: string, message: string): AppError {
  return new AppError(403, ErrorCode.CONTENT_IMPORT_NOT_ALLOWED, message, { path: folder });
}
