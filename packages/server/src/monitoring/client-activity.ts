import { NotFoundError } from '@steward/protocol';
import type { ClientActivity } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { activeThresholdDays } from '../site/site-settings.js';
import { authorize } from '../context.js';
import { ONLINE_WINDOW_MS, deviceActivityCounts } from '../devices/repository.js';
import { findCollection, listCollectionRows } from '../collections/repository.js';
import { activitySnapshots, saveActivitySnapshot } from './repository.js';

const ALL = 'all-systems';

async function resolveCollection(ctx: SiteContext, idOrName: string | undefined): Promise<string> {
  if (!idOrName) return ALL;
  const row = await findCollection(ctx.db.kysely, idOrName);
  if (!row) throw new NotFoundError('collection', idOrName);
  return row.id;
}

async function countActivity(ctx: SiteContext, collectionId: string, now: Date) {
  const c = await deviceActivityCounts(ctx.db.kysely, {
    // All Systems is every live device even before the first collection evaluation.
    collectionId: collectionId === ALL ? undefined : collectionId,
    since: new Date(now.getTime() - activeThresholdDays() * 86400_000).toISOString(),
    onlineSince: new Date(now.getTime() - ONLINE_WINDOW_MS).toISOString(),
  });
  return {
    total: c.total,
    active: c.active,
    inactive: c.total - c.active,
    neverReported: c.never,
    online: c.online,
    recent: {
      policyRequest: c.policy,
      heartbeat: c.heartbeat,
      inventory: c.inventory,
      statusMessage: c.status,
    },
  };
}

/** Client activity for a collection: counts now, and the hourly snapshots as a series. */
export async function clientActivity(
  ctx: SiteContext,
  actor: Actor,
  q: { collection?: string | undefined; days?: number | undefined },
): Promise<ClientActivity> {
  authorize(actor, 'read');
  const collectionId = await resolveCollection(ctx, q.collection);
  const now = ctx.clock.now();
  const counts = await countActivity(ctx, collectionId, now);
  const from = new Date(now.getTime() - (q.days ?? 30) * 86400_000).toISOString();
  const snapshots = await activitySnapshots(ctx.db.kysely, { collectionId, from });
  return {
    collectionId,
    thresholdDays: activeThresholdDays(),
    ...counts,
    series: [
      ...snapshots,
      { at: now.toISOString(), active: counts.active, inactive: counts.inactive },
    ],
  };
}

/** Scheduled hourly: one point per collection for the activity chart. */
export async function snapshotClientActivity(ctx: SiteContext): Promise<void> {
  const now = ctx.clock.now();
  const hour = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000).toISOString();
  const collections = await listCollectionRows(ctx.db.kysely);
  const ids = new Set([ALL, ...collections.map((c) => c.id)]);
  for (const id of ids) {
    const c = await countActivity(ctx, id, now);
    await saveActivitySnapshot(ctx.db.kysely, {
      collectionId: id,
      at: hour,
      active: c.active,
      inactive: c.inactive,
    });
  }
}
