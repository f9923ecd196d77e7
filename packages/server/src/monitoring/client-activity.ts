import { NotFoundError } from '@steward/protocol';
import { sql } from 'kysely';
import type { ClientActivity } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { activeThresholdDays } from '../site/site-settings.js';
import { authorize } from '../context.js';
import { toNumber } from '../db/database.js';
import { ONLINE_WINDOW_MS } from '../devices/repository.js';

const ALL = 'all-systems';

async function resolveCollection(ctx: SiteContext, idOrName: string | undefined): Promise<string> {
  if (!idOrName) return ALL;
  const row = await ctx.db.kysely
    .selectFrom('collection')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('collection', idOrName);
  return row.id;
}

async function countActivity(ctx: SiteContext, collectionId: string, now: Date) {
  const since = new Date(now.getTime() - activeThresholdDays() * 86400_000).toISOString();
  const onlineSince = new Date(now.getTime() - ONLINE_WINDOW_MS).toISOString();
  let q = ctx.db.kysely.selectFrom('device as d').where('d.revoked_at', 'is', null);
  // All Systems is every live device even before the first collection evaluation.
  if (collectionId !== ALL)
    q = q.where('d.id', 'in', (eb) =>
      eb
        .selectFrom('collection_member')
        .select('device_id')
        .where('collection_id', '=', collectionId),
    );
  const row = await q
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when d.last_contact_at >= ${since} then 1 else 0 end)`.as('active'),
      sql<number>`sum(case when d.last_inventory_at is null and d.last_status_at is null then 1 else 0 end)`.as(
        'never',
      ),
      sql<number>`sum(case when d.push_seen_at >= ${onlineSince} then 1 else 0 end)`.as('online'),
      sql<number>`sum(case when d.last_policy_request_at >= ${since} then 1 else 0 end)`.as(
        'policy',
      ),
      sql<number>`sum(case when d.last_heartbeat_at >= ${since} then 1 else 0 end)`.as('heartbeat'),
      sql<number>`sum(case when d.last_inventory_at >= ${since} then 1 else 0 end)`.as('inventory'),
      sql<number>`sum(case when d.last_status_at >= ${since} then 1 else 0 end)`.as('status'),
    ])
    .executeTakeFirst();
  const total = toNumber(row?.total);
  const active = toNumber(row?.active);
  return {
    total,
    active,
    inactive: total - active,
    neverReported: toNumber(row?.never),
    online: toNumber(row?.online),
    recent: {
      policyRequest: toNumber(row?.policy),
      heartbeat: toNumber(row?.heartbeat),
      inventory: toNumber(row?.inventory),
      statusMessage: toNumber(row?.status),
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
  const snapshots = await ctx.db.kysely
    .selectFrom('client_activity_snapshot')
    .select(['at', 'active', 'inactive'])
    .where('collection_id', '=', collectionId)
    .where('at', '>=', from)
    .orderBy('at')
    .execute();
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
  const collections = await ctx.db.kysely.selectFrom('collection').select('id').execute();
  const ids = new Set([ALL, ...collections.map((c) => c.id)]);
  for (const id of ids) {
    const c = await countActivity(ctx, id, now);
    await ctx.db.kysely
      .insertInto('client_activity_snapshot')
      .values({ collection_id: id, at: hour, active: c.active, inactive: c.inactive })
      .onConflict((oc) =>
        oc.columns(['collection_id', 'at']).doUpdateSet({ active: c.active, inactive: c.inactive }),
      )
      .execute();
  }
}
