import type { SiteContext } from '../context.js';
import type { DeploymentNotifier } from './notify.js';
import * as repo from './repository/targets.js';
import { membershipChangesAfter } from '../collections/membership-repository.js';
import { readSetting, writeSetting } from '../site/repository.js';

const WATERMARK = 'deployments_membership_change_id';

/** The watch's mark before its first run: every change from the beginning (created at start). */
export const DEPLOYMENTS_WATERMARK_ROW = { key: WATERMARK, value: '0' } as const;
const BATCH = 5000;

/**
 * Scheduler job: collection membership changes (evaluations write `collection_membership_change`
 * rows with increasing ids) reach the deployments of those collections. Devices that joined or
 * left a collection with deployments or maintenance windows get a `deployments:evaluate` nudge;
 * every device that changed gets its cached assignments dropped. The last id handled is kept in site_setting, so a
 * restart neither replays history nor skips what changed meanwhile.
 */
export async function propagateMembershipChanges(
  ctx: SiteContext,
  notifier: DeploymentNotifier,
): Promise<void> {
  const db = ctx.db.kysely;
  const mark = await readSetting(db, WATERMARK);
  // No mark yet: a new site (or one upgraded to software distribution) starts from the
  // beginning; only changes of collections with deployments or windows lead anywhere.
  let last = Number(mark ?? 0);
  for (;;) {
    const rows = await membershipChangesAfter(db, { afterId: last, limit: BATCH });
    if (rows.length === 0) return;
    const collections = [...new Set(rows.map((r) => r.collection_id))];
    const relevant = await repo.collectionsWithDeploymentsOrWindows(db, {
      collectionIds: collections,
    });
    const nudged = new Set(
      rows.filter((r) => relevant.has(r.collection_id)).map((r) => r.device_id),
    );
    await notifier.devicesChanged([...nudged], 'system');
    // The other documents do not change, but they hold the old collections: a deployment
    // created later in a collection the device just joined drops documents by collection.
    await notifier.forget(rows.map((r) => r.device_id).filter((id) => !nudged.has(id)));
    last = Number(rows[rows.length - 1]?.id ?? last);
    await save(ctx, last);
    if (rows.length < BATCH) return;
  }
}

async function save(ctx: SiteContext, id: number): Promise<void> {
  await writeSetting(ctx.db.kysely, { key: WATERMARK, value: String(id) });
}
