import {
  ConflictError,
  ErrorCode,
  InputError,
  MAX_BULK_DEVICES,
  bulkActionPermission,
  countStillConfirmed,
  type BulkActionResult,
  type BulkDeviceAction,
  type BulkDeviceActionRequest,
  type DeviceSelection,
  type NudgeAction,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction, type Queryable } from '../db/database.js';
import type { PushHub } from '../push/push-hub.js';
import type { CollectionService } from '../collections/service.js';
import {
  emptyOutcome,
  failWith,
  failedCount,
  summaryOf,
  type BulkOutcome,
} from '../bulk/outcome.js';
import { requestActions } from './client-notification.js';
import { deviceMatchOf } from './device-match.js';
import {
  bulkTargetsByIds,
  bulkTargetsMatching,
  revokeDevices,
  type BulkTarget,
} from './bulk-repository.js';

/** Ids per statement: well inside both databases' parameter limits. */
const BATCH = 500;

interface Resolved {
  targets: BulkTarget[];
  /** Explicit ids naming no device. */
  missing: string[];
}

/** What an action made of its targets, before counting (nudges also count the connected). */
interface Outcome extends BulkOutcome {
  connected?: number;
}

/**
 * Bulk actions on devices (ADR 0031): the selection is resolved on the site in one request
 * (explicit ids, or the device list's own filter query), each action checks the permission of
 * its single-device counterpart, acts in bounded batches inside one transaction that also writes
 * ONE audit entry, and answers a summary with per-reason failure counts and example names.
 */
export class BulkDeviceService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly push: PushHub,
    private readonly collections: CollectionService,
  ) {}

  async act(actor: Actor, req: BulkDeviceActionRequest): Promise<BulkActionResult> {
    authorize(actor, bulkActionPermission(req.action));
    const collection = req.collection;
    const isCollectionAction =
      req.action === 'collection:add' || req.action === 'collection:remove';
    if (isCollectionAction && collection === undefined)
      throw new InputError(
        ErrorCode.BULK_COLLECTION_REQUIRED,
        `${req.action} needs the collection to change`,
      );
    const resolved = await this.resolve(req.selection);
    const matched = resolved.targets.length + resolved.missing.length;
    if (req.expectedCount !== undefined && !countStillConfirmed(req.expectedCount, matched))
      throw new ConflictError(
        ErrorCode.BULK_COUNT_CHANGED,
        `the selection now matches ${matched} devices, not the ${req.expectedCount} confirmed; review it and confirm again`,
        { expectedCount: req.expectedCount, matched },
      );
    const audit = auditOf(req, matched);
    // Ids naming no device fail first, so the audit entry counts them too.
    const outcome = emptyOutcome();
    for (const id of resolved.missing) failWith(outcome, 'not-found', id);
    await this.run(actor, req.action, resolved.targets, { collection, audit, outcome });
    return summarise(req.action, matched, outcome);
  }

  /** The selection's devices: explicit ids a batch at a time, or the filter in one statement. */
  private async resolve(selection: DeviceSelection): Promise<Resolved> {
    const db = this.ctx.db.kysely;
    if ('ids' in selection) {
      const ids = [...new Set(selection.ids)];
      const targets: BulkTarget[] = [];
      for (let i = 0; i < ids.length; i += BATCH)
        targets.push(...(await bulkTargetsByIds(db, { ids: ids.slice(i, i + BATCH) })));
      const found = new Set(targets.map((t) => t.id));
      return { targets, missing: ids.filter((id) => !found.has(id)) };
    }
    const match = await deviceMatchOf(this.ctx, selection.filter);
    const targets = await bulkTargetsMatching(db, { match, limit: MAX_BULK_DEVICES + 1 });
    if (targets.length > MAX_BULK_DEVICES)
      throw new ConflictError(
        ErrorCode.BULK_TOO_MANY,
        `the filter matches more than ${MAX_BULK_DEVICES} devices; narrow it`,
        { max: MAX_BULK_DEVICES },
      );
    return { targets, missing: [] };
  }

  private run(
    actor: Actor,
    action: BulkDeviceAction,
    targets: BulkTarget[],
    o: { collection: string | undefined; audit: AuditOf; outcome: Outcome },
  ): Promise<void> {
    switch (action) {
      case 'inventory:collect':
      case 'policy:fetch':
      case 'deployments:evaluate':
        return this.nudge(actor, action, targets, o);
      case 'revoke':
        return this.revoke(actor, targets, o);
      case 'collection:add':
      case 'collection:remove':
        return this.changeMembers(actor, action, targets, { ...o, collection: o.collection ?? '' });
    }
  }

  /** Client notification for the selection: the single-device request, recorded in one go. */
  private async nudge(
    actor: Actor,
    action: NudgeAction,
    targets: BulkTarget[],
    { audit, outcome }: { audit: AuditOf; outcome: Outcome },
  ): Promise<void> {
    const live = targets.filter((t) => {
      if (t.revoked_at === null) return true;
      failWith(outcome, 'device-revoked', t.name);
      return false;
    });
    const rows = await requestActions(this.ctx, this.push, live, {
      action,
      requestedBy: actor.userName,
      now: this.ctx.clock.now(),
      alsoInTx: (tx, recorded) => {
        outcome.done = recorded.length;
        outcome.connected = recorded.filter((r) => r.not_connected === 0).length;
        return this.writeAudit(tx, actor, audit, outcome);
      },
    });
    outcome.done = rows.length;
  }

  private async revoke(
    actor: Actor,
    targets: BulkTarget[],
    { audit, outcome }: { audit: AuditOf; outcome: Outcome },
  ): Promise<void> {
    const live = targets.filter((t) => t.revoked_at === null).map((t) => t.id);
    outcome.unchanged = targets.length - live.length;
    outcome.done = live.length;
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      for (let i = 0; i < live.length; i += BATCH)
        await revokeDevices(tx, { ids: live.slice(i, i + BATCH), at });
      await this.writeAudit(tx, actor, audit, outcome);
    });
    // One event each (the PostgreSQL bus splits a long payload): one NOTIFY per device made
    // revoking 10,000 take 34 s there.
    if (live.length > 0) {
      await this.ctx.bus.publish('device-revoked', { deviceIds: live });
      // The evaluator takes them out of every collection (membership history records it).
      await this.ctx.bus.publish('inventory-changed', { deviceIds: live });
    }
  }

  private async changeMembers(
    actor: Actor,
    action: 'collection:add' | 'collection:remove',
    targets: BulkTarget[],
    o: { collection: string; audit: AuditOf; outcome: Outcome },
  ): Promise<void> {
    const { outcome } = o;
    const names = new Map(targets.map((t) => [t.id, t.name]));
    let ids = targets.map((t) => t.id);
    if (action === 'collection:add')
      ids = targets.flatMap((t) => {
        if (t.revoked_at === null) return [t.id];
        failWith(outcome, 'device-revoked', t.name);
        return [];
      });
    const change =
      action === 'collection:add' ? { add: ids, remove: [] } : { add: [], remove: ids };
    await this.collections.changeDirectMembers(
      { collection: o.collection, change, by: actor.userName },
      async (tx, result) => {
        outcome.done = result.changed.length;
        outcome.unchanged = result.alreadyMembers.length;
        for (const id of result.notDirectMembers)
          failWith(outcome, 'not-direct-member', names.get(id) ?? id);
        const audit = { ...o.audit, targetType: 'collection', targetId: result.collection.id };
        audit.details = { ...audit.details, collectionName: result.collection.name };
        await this.writeAudit(tx, actor, audit, outcome);
      },
    );
  }

  private async writeAudit(
    tx: Queryable,
    actor: Actor,
    audit: AuditOf,
    outcome: Outcome,
  ): Promise<void> {
    await writeAudit(tx, actor, nowIso(this.ctx), {
      action: audit.action,
      targetType: audit.targetType,
      targetId: audit.targetId,
      details: {
        ...audit.details,
        done: outcome.done,
        unchanged: outcome.unchanged,
        failed: failedCount(outcome),
      },
    });
  }
}

interface AuditOf {
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** The one audit entry of a bulk action: the action, the count and the filter (or the ids' count). */
function auditOf(req: BulkDeviceActionRequest, matched: number): AuditOf {
  const selection =
    'ids' in req.selection ? { ids: req.selection.ids.length } : { filter: req.selection.filter };
  return {
    action: `device.bulk.${req.action}`,
    targetType: 'device-selection',
    targetId: '',
    details: { action: req.action, count: matched, selection },
  };
}

function summarise(action: BulkDeviceAction, matched: number, o: Outcome): BulkActionResult {
  return {
    action,
    ...summaryOf(matched, o),
    ...(o.connected !== undefined ? { connected: o.connected } : {}),
  };
}
