import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteContext } from '../context.js';
import type { ContentStore } from './content-store.js';
import { isSha256 } from './content-store.js';
import * as repo from './repository.js';
import * as stored from './stored-files-repository.js';

/** Files younger than this are spared: an upload's version may not be created yet. */
export const GC_MIN_AGE_MS = 3600_000;
const BATCH = 500;

function isForeignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  return err.code === '23503' || err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Removes stored files whose row is gone or goes now: the row first (only while unreferenced),
 * then the file, so a file a version points at is never deleted.
 */
async function removeIfUnreferenced(
  ctx: SiteContext,
  store: ContentStore,
  sha256: string,
  before?: string,
): Promise<boolean> {
  let deleted: boolean;
  try {
    deleted = await stored.deleteContentFileIfUnreferenced(ctx.db.kysely, sha256, before);
  } catch (err) {
    // A version referencing it committed meanwhile: it stays.
    if (isForeignKeyViolation(err)) return false;
    throw err;
  }
  if (deleted) await store.remove(sha256);
  return deleted;
}

/**
 * Drops files an import stored before it failed (nothing half-created): each only if no version
 * references it, whatever its age.
 */
export async function discardUnreferenced(
  ctx: SiteContext,
  store: ContentStore,
  hashes: readonly string[],
): Promise<void> {
  for (const sha256 of new Set(hashes)) await removeIfUnreferenced(ctx, store, sha256);
}

/** Files on disk older than `before` with no row (a crash between rename and insert), and temp files. */
async function sweepDisk(ctx: SiteContext, store: ContentStore, beforeMs: number): Promise<number> {
  let removed = 0;
  const listing = async (dir: string) => {
    try {
      return await readdir(dir);
    } catch {
      return [];
    }
  };
  for (const name of await listing(join(store.rootDir, 'tmp'))) {
    const path = join(store.rootDir, 'tmp', name);
    const st = await stat(path).catch(() => undefined);
    if (st && st.mtimeMs < beforeMs) await rm(path, { force: true });
  }
  for (const prefix of await listing(join(store.rootDir, 'sha256'))) {
    const names = (await listing(join(store.rootDir, 'sha256', prefix))).filter(isSha256);
    for (const part of repo.chunked(names)) {
      const known = await stored.storedSizes(ctx.db.kysely, part);
      for (const sha256 of part) {
        if (known.has(sha256)) continue;
        const st = await stat(store.pathOf(sha256)).catch(() => undefined);
        if (!st || st.mtimeMs >= beforeMs) continue;
        // Re-check right before removing: an upload may have recorded it since the lookup.
        if (await stored.contentFileExists(ctx.db.kysely, sha256)) continue;
        await store.remove(sha256);
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Garbage collection of the content library (scheduler, hourly): stored files that no package
 * version references and that were last claimed more than an hour ago. Old versions keep their
 * files until the package is deleted or its versions pruned.
 */
export async function collectUnreferencedContent(
  ctx: SiteContext,
  store: ContentStore,
): Promise<{ removed: number }> {
  const beforeMs = ctx.clock.now().getTime() - GC_MIN_AGE_MS;
  const before = new Date(beforeMs).toISOString();
  let removed = 0;
  const skipped = new Set<string>();
  for (;;) {
    const batch = (
      await stored.unreferencedContent(ctx.db.kysely, before, BATCH + skipped.size)
    ).filter((sha) => !skipped.has(sha));
    if (batch.length === 0) break;
    for (const sha256 of batch) {
      if (await removeIfUnreferenced(ctx, store, sha256, before)) removed++;
      else skipped.add(sha256);
    }
  }
  removed += await sweepDisk(ctx, store, beforeMs);
  if (removed > 0) ctx.log.info({ removed }, 'content library: removed unreferenced files');
  return { removed };
}
