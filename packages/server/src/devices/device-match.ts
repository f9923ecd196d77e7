import { NotFoundError, type DeviceFilter } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { findCollection } from '../collections/repository.js';
import { activityCutoffs } from '../monitoring/activity-repository.js';
import { currentSiteSettings } from '../site/site-settings.js';
import type { DeviceMatch } from './repository.js';

/**
 * The device list's filter resolved for the repository (the collection looked up, the activity
 * cut-offs of now): the list and bulk selections by filter use this one function.
 */
export async function deviceMatchOf(ctx: SiteContext, q: DeviceFilter): Promise<DeviceMatch> {
  const now = ctx.clock.now();
  let collectionId: string | undefined;
  if (q.collection) {
    const collection = await findCollection(ctx.db.kysely, q.collection);
    if (!collection) throw new NotFoundError('collection', q.collection);
    collectionId = collection.id;
  }
  return {
    search: q.search,
    collectionId,
    status: q.status,
    cutoffs: activityCutoffs(now, currentSiteSettings()),
    now,
  };
}
