import { NotFoundError, type CollectionActionResult, type NudgeAction } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { type PushHub } from '../push/push-hub.js';
import { findCollection } from '../collections/repository.js';
import {
  liveDevices,
  liveMembersOf,
  newActionRow,
  onlineDevices,
  type PushTarget,
} from './repository.js';
import { insertDeviceActions } from './action-repository.js';
import { type Queryable, inTransaction } from '../db/database.js';

type ActionRow = ReturnType<typeof newActionRow>;

/**
 * Records one `action` request per device (one transaction, chunked inserts; `alsoInTx` adds
 * what must commit with them, e.g. the audit row), then publishes them in one event so whichever
 * process holds a device's push connection delivers it. Returns the rows recorded.
 */
export async function requestActions(
  ctx: SiteContext,
  push: PushHub,
  devices: readonly { id: string; push_seen_at: string | null }[],
  o: {
    action: NudgeAction;
    requestedBy: string;
    now: Date;
    alsoInTx?: (tx: Queryable, rows: readonly ActionRow[]) => Promise<void>;
  },
): Promise<ActionRow[]> {
  const { action, requestedBy, now } = o;
  const rows = devices.map((d) =>
    newActionRow(d, { action, requestedBy, now, heldHere: push.isConnected(d.id) }),
  );
  if (rows.length === 0 && !o.alsoInTx) return rows;
  await inTransaction(ctx.db.kysely, async (tx) => {
    await insertDeviceActions(tx, rows);
    await o.alsoInTx?.(tx, rows);
  });
  await push.publish(rows.map((r) => ({ deviceId: r.device_id, requestId: r.id, action })));
  return rows;
}

/** Device ids per IN list: far below both dialects' parameter limits. */
const CHUNK = 500;

/**
 * Which online devices to nudge: the one rule for every "fetch now" meant only for devices that
 * are online (a request row for each offline device would be replayed to a fleet reconnecting
 * after an outage; they fetch on reconnect anyway). Online by the presence rule (ADR 0035), plus
 * the channels this process holds whose presence the activity flush has not written yet (a
 * device that connected a moment ago); only members of any of `collectionIds` when given.
 */
export async function onlineDevicesToNudge(
  ctx: SiteContext,
  push: PushHub,
  scope: { collectionIds?: readonly string[] } = {},
): Promise<PushTarget[]> {
  const db = ctx.db.kysely;
  const { collectionIds } = scope;
  if (collectionIds !== undefined && collectionIds.length === 0) return [];
  const byId = new Map<string, PushTarget>();
  for (const d of await onlineDevices(db, { now: ctx.clock.now(), collectionIds }))
    byId.set(d.id, d);
  const held = push.connectedDeviceIds().filter((id) => !byId.has(id));
  for (let i = 0; i < held.length; i += CHUNK)
    for (const d of await liveDevices(db, { ids: held.slice(i, i + CHUNK), collectionIds }))
      byId.set(d.id, d);
  return [...byId.values()];
}

/**
 * Client notification for a whole collection (Configuration Manager's "Client Notification >
 * Download Computer Policy" on a collection): one request per member, recorded in one
 * transaction with one audit row, then published to every server process in one event.
 */
export async function notifyCollection(
  ctx: SiteContext,
  push: PushHub,
  actor: Actor,
  collectionIdOrName: string,
  action: NudgeAction,
): Promise<CollectionActionResult> {
  authorize(actor, 'devices:act');
  const db = ctx.db.kysely;
  const collection = await findCollection(db, collectionIdOrName);
  if (!collection) throw new NotFoundError('collection', collectionIdOrName);
  const now = ctx.clock.now();
  const requestedAt = now.toISOString();
  const members = await liveMembersOf(db, collection.id);
  let connected = 0;
  const rows = await requestActions(ctx, push, members, {
    action,
    requestedBy: actor.userName,
    now,
    alsoInTx: async (tx, recorded) => {
      connected = recorded.filter((r) => r.not_connected === 0).length;
      await writeAudit(tx, actor, requestedAt, {
        action: `collection.${action}`,
        targetType: 'collection',
        targetId: collection.id,
        details: { devices: recorded.length, connected },
      });
      await raiseSiteStatus(
        ctx,
        {
          message: 'NUDGE_SENT_TO_COLLECTION',
          insertionStrings: [
            action,
            String(recorded.length),
            collection.name,
            actor.userName,
            String(connected),
          ],
          attributes: { collectionId: collection.id },
        },
        tx,
      );
    },
  });
  return { collectionId: collection.id, action, requestedAt, devices: rows.length, connected };
}
