import type { SiteContext } from '../context.js';
import { membershipChangesAfter } from '../collections/membership-repository.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { liveDevices } from '../devices/repository.js';
import { requestActions } from '../devices/client-notification.js';
import type { PushHub } from '../push/push-hub.js';
import { bumpPolicyVersion, type PolicyService } from '../agent-api/policy.js';
import { inTransaction } from '../db/database.js';
import { collectionsWithSettings } from './repository.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';

const WATERMARK = 'client_settings_membership_change_id';

/** The watch's mark before its first run: every change from the beginning (created at start). */
export const CLIENT_SETTINGS_WATERMARK_ROW = { key: WATERMARK, value: '0' } as const;
const BATCH = 5000;
const CHUNK = 500;

/**
 * Scheduler job: a device that joined or left a collection with a client settings object has
 * new resultant settings (ADR 0025), and one that joined or left the pre-production or exclusion
 * collection has a new client-version target (ADR 0027). The policy version rises (agents refuse an older or equal
 * version as unchanged) and those devices are nudged to fetch policy. The last change handled
 * is kept in site_setting, like the deployments' watch, so a restart neither replays nor skips.
 */
export async function propagateClientSettingsMembership(
  ctx: SiteContext,
  push: PushHub,
  policy: PolicyService,
): Promise<void> {
  const db = ctx.db.kysely;
  let last = Number((await readSetting(db, WATERMARK)) ?? 0);
  for (;;) {
    const rows = await membershipChangesAfter(db, { afterId: last, limit: BATCH });
    if (rows.length === 0) return;
    const relevant = await collectionsWithSettings(db, {
      collectionIds: [...new Set(rows.map((r) => r.collection_id))],
    });
    // The client-version rollout's collections change the policy too (ADR 0027).
    const versions = await readAgentVersionSettings(db);
    for (const id of [versions.preproductionCollectionId, versions.exclusionCollectionId])
      if (id !== null) relevant.add(id);
    const affected = [
      ...new Set(rows.filter((r) => relevant.has(r.collection_id)).map((r) => r.device_id)),
    ];
    last = Number(rows[rows.length - 1]?.id ?? last);
    let version: number | undefined;
    await inTransaction(db, async (tx) => {
      if (affected.length > 0) version = await bumpPolicyVersion(tx);
      await writeSetting(tx, { key: WATERMARK, value: String(last) });
    });
    if (version !== undefined) {
      policy.drop();
      await ctx.bus.publish('policy-changed', { version });
      for (let i = 0; i < affected.length; i += CHUNK) {
        const devices = await liveDevices(db, { ids: affected.slice(i, i + CHUNK) });
        await requestActions(ctx, push, devices, {
          action: 'policy:fetch',
          requestedBy: 'system',
          now: ctx.clock.now(),
        });
      }
    }
    if (rows.length < BATCH) return;
  }
}
