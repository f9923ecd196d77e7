import { NotFoundError } from '@steward/protocol';
import type { ClientActivity, ErrorCode } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { currentSiteSettings } from '../site/site-settings.js';
import { authorize } from '../context.js';
import { findCollection, listCollectionRows } from '../collections/repository.js';
import { activitySnapshots, deleteSnapshotsBefore, saveActivitySnapshot } from './repository.js';
import { activityCutoffs, deviceActivityCounts } from './activity-repository.js';

const ALL = 'all-systems';
const DAY_MS = 86400_000;
/** Client status history (the hourly snapshots) is kept this long (issue 9). */
export const HISTORY_DAYS = 31;

/** A collection's id from its id or name; none: All Systems. */
export async function resolveScope(
  ctx: SiteContext,
  idOrName: string | undefined,
  code?: ErrorCode,
): Promise<string> {
  if (!idOrName) return ALL;
  const row = await findCollection(ctx.db.kysely, idOrName);
  if (!row) throw new NotFoundError('collection', idOrName, code);
  return row.id;
}

/** The members-of filter of a scope: undefined for All Systems (every live device). */
export function scopeFilter(collectionId: string): string | undefined {
  // All Systems is every live device even before the first collection evaluation.
  return collectionId === ALL ? undefined : collectionId;
}

async function countActivity(ctx: SiteContext, collectionId: string, now: Date) {
  const c = await deviceActivityCounts(ctx.db.kysely, {
    collectionId: scopeFilter(collectionId),
    cutoffs: activityCutoffs(now, currentSiteSettings()),
    now,
  });
  return {
    total: c.total,
    active: c.active,
    inactive: c.total - c.active,
    obsolete: c.obsolete,
    neverReported: c.never,
    online: c.online,
    recent: {
      policyRequest: c.policyRequest,
      heartbeat: c.heartbeat,
      hardwareInventory: c.hardwareInventory,
      softwareInventory: c.softwareInventory,
      statusMessage: c.statusMessage,
    },
  };
}

type Point = { at: string; active: number; inactive: number };

/** One point per UTC day: the last snapshot of that day (the series is oldest first). */
export function dailyPoints(series: readonly Point[]): ClientActivity['daily'] {
  const byDay = new Map<string, { day: string; active: number; inactive: number }>();
  for (const p of series)
    byDay.set(p.at.slice(0, 10), {
      day: p.at.slice(0, 10),
      active: p.active,
      inactive: p.inactive,
    });
  return [...byDay.values()];
}

/** Client activity for a collection: counts now, and the snapshots as hourly and daily series. */
export async function clientActivity(
  ctx: SiteContext,
  actor: Actor,
  q: { collection?: string | undefined; days?: number | undefined },
): Promise<ClientActivity> {
  authorize(actor, 'read');
  const collectionId = await resolveScope(ctx, q.collection);
  const now = ctx.clock.now();
  const counts = await countActivity(ctx, collectionId, now);
  const from = new Date(now.getTime() - (q.days ?? HISTORY_DAYS) * DAY_MS).toISOString();
  const snapshots = await activitySnapshots(ctx.db.kysely, { collectionId, from });
  const series = [
    ...snapshots,
    { at: now.toISOString(), active: counts.active, inactive: counts.inactive },
  ];
  const s = currentSiteSettings();
  return {
    collectionId,
    thresholds: {
      policyRequest: s.inactivePolicyRequestDays,
      heartbeat: s.inactiveHeartbeatDays,
      hardwareInventory: s.inactiveHardwareInventoryDays,
      softwareInventory: s.inactiveSoftwareInventoryDays,
      statusMessage: s.inactiveStatusMessageDays,
    },
    ...counts,
    series,
    daily: dailyPoints(series),
  };
}

/**
 * Scheduled hourly: one point per collection for the client status history, and the points
 * older than 31 days deleted.
 */
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
  await pruneClientActivity(ctx);
}

/** Deletes client status history older than 31 days; returns how many points went. */
export function pruneClientActivity(ctx: SiteContext): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - HISTORY_DAYS * DAY_MS).toISOString();
  return deleteSnapshotsBefore(ctx.db.kysely, before);
}
