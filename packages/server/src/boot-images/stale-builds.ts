import type { SiteContext } from '../context.js';
import { inTransaction } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';

/** How often a running build writes its heartbeat (ADR 0079). */
export const BUILD_HEARTBEAT_MS = 15_000;
/**
 * A `building` image whose heartbeat is older than this lost its process. Eight missed beats:
 * a busy process (debootstrap saturating the disk) is late, never this late.
 */
export const BUILD_STALE_MS = 2 * 60_000;

const REASON = 'the server process building it stopped before the build finished';

/**
 * Marks `building` images whose process stopped as `interrupted`, each with status message
 * 52480 in the same transaction, so a restart never leaves a build that blocks its name forever
 * (BOOT_IMAGE_BUILD_RUNNING). Builds this process runs (`mine`) are left alone whatever their
 * heartbeat says. `name` limits the pass to one image name (the build request's own check).
 */
export async function interruptStaleBuilds(
  ctx: SiteContext,
  mine: ReadonlySet<string>,
  name?: string,
): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - BUILD_STALE_MS).toISOString();
  const stale = await repo.staleBuildingBootImages(ctx.db.kysely, before);
  let marked = 0;
  for (const row of stale) {
    if (mine.has(row.id) || (name !== undefined && row.name !== name)) continue;
    const done = await inTransaction(ctx.db.kysely, async (tx) => {
      if (!(await repo.interruptBootImage(tx, row.id, REASON))) return false;
      await raiseSiteStatus(
        ctx,
        {
          message: 'BOOT_IMAGE_BUILD_INTERRUPTED',
          insertionStrings: [row.name, String(row.version), row.arch, REASON],
          attributes: { bootImageId: row.id },
        },
        tx,
      );
      return true;
    });
    if (done) marked += 1;
  }
  if (marked > 0) {
    ctx.log.warn({ marked }, 'boot image builds whose process stopped marked interrupted');
    await ctx.bus.publish('status-ingested', { count: marked });
  }
  return marked;
}
