import {
  ConflictError,
  ErrorCode,
  InputError,
  MAX_BULK_DEVICES,
  NotFoundError,
  bulkDiscoveredPermission,
  countStillConfirmed,
  type BulkDiscoveredActionRequest,
  type BulkDiscoveredResult,
  type DiscoveredSelection,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import {
  emptyOutcome,
  failWith,
  failedCount,
  summaryOf,
  type BulkOutcome,
} from '../bulk/outcome.js';
import type { ClientPushService } from '../client-push/service.js';
import { findCollection } from '../collections/repository.js';
import { inTransaction, type Queryable } from '../db/database.js';
import {
  forgetMachines,
  machineTargetsByAddress,
  machineTargetsMatching,
  membersAmong,
  type MachineTarget,
} from './bulk-repository.js';
import { addCollectionMembers } from './collection-members-repository.js';

/** Addresses per statement: well inside both databases' parameter limits. */
const BATCH = 500;

interface Outcome extends BulkOutcome {
  pushJobId?: string;
}

/**
 * Bulk actions on discovered machines (ADR 0040, extending ADR 0031): the selection (addresses,
 * or the list's own filter) is resolved on the site in one request, the confirmed count is
 * checked, each action needs the permission of its single counterpart, and ONE audit entry
 * records the action, the count and the selection.
 */
export class BulkDiscoveredService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly push: ClientPushService,
  ) {}

  async act(actor: Actor, req: BulkDiscoveredActionRequest): Promise<BulkDiscoveredResult> {
    authorize(actor, bulkDiscoveredPermission(req.action));
    if (req.action === 'collection:add' && req.collection === undefined)
      throw new InputError(
        ErrorCode.BULK_COLLECTION_REQUIRED,
        'collection:add needs the collection to add the machines to',
      );
    if (req.action === 'push' && req.account === undefined)
      throw new InputError(
        ErrorCode.BULK_ACCOUNT_REQUIRED,
        'push needs the push account to connect with',
      );
    const { targets, missing } = await this.resolve(req.selection);
    const matched = targets.length + missing.length;
    if (req.expectedCount !== undefined && !countStillConfirmed(req.expectedCount, matched))
      throw new ConflictError(
        ErrorCode.BULK_COUNT_CHANGED,
        `the selection now matches ${matched} machines, not the ${req.expectedCount} confirmed; review it and confirm again`,
        { expectedCount: req.expectedCount, matched },
      );
    const outcome: Outcome = emptyOutcome();
    for (const a of missing) failWith(outcome, 'not-found', a);
    const audit = {
      action: `discovered.bulk.${req.action}`,
      details: {
        action: req.action,
        count: matched,
        selection:
          'ids' in req.selection
            ? { addresses: req.selection.ids.length }
            : { filter: req.selection.filter },
      },
    };
    switch (req.action) {
      case 'push':
        await this.pushAgent(actor, targets, { account: req.account ?? '', audit, outcome });
        break;
      case 'collection:add':
        await this.addToCollection(actor, targets, {
          collection: req.collection ?? '',
          audit,
          outcome,
        });
        break;
      case 'forget':
        await this.forget(actor, targets, { audit, outcome });
        break;
    }
    return summarise(req.action, matched, outcome);
  }

  private async resolve(
    selection: DiscoveredSelection,
  ): Promise<{ targets: MachineTarget[]; missing: string[] }> {
    const db = this.ctx.db.kysely;
    if ('ids' in selection) {
      const addresses = [...new Set(selection.ids)];
      const targets: MachineTarget[] = [];
      for (let i = 0; i < addresses.length; i += BATCH)
        targets.push(...(await machineTargetsByAddress(db, addresses.slice(i, i + BATCH))));
      const found = new Set(targets.map((t) => t.address));
      return { targets, missing: addresses.filter((a) => !found.has(a)) };
    }
    const targets = await machineTargetsMatching(db, {
      filter: selection.filter,
      limit: MAX_BULK_DEVICES + 1,
    });
    if (targets.length > MAX_BULK_DEVICES)
      throw new ConflictError(
        ErrorCode.BULK_TOO_MANY,
        `the filter matches more than ${MAX_BULK_DEVICES} machines; narrow it`,
        { max: MAX_BULK_DEVICES },
      );
    return { targets, missing: [] };
  }

  /** One push job for the machines with no agent; those with one fail as `has-agent`. */
  private async pushAgent(
    actor: Actor,
    targets: MachineTarget[],
    o: { account: string; audit: BulkAudit; outcome: Outcome },
  ): Promise<void> {
    const { outcome } = o;
    const addresses = targets.flatMap((t) => {
      if (t.device_id === null) return [t.address];
      failWith(outcome, 'has-agent', t.address);
      return [];
    });
    if (addresses.length === 0) {
      // Nothing to push: no job, but the action is still recorded once.
      await inTransaction(this.ctx.db.kysely, (tx) => this.writeAudit(tx, actor, o.audit, outcome));
      return;
    }
    outcome.done = addresses.length;
    outcome.pushJobId = await this.push.pushToAddresses(actor, {
      account: o.account,
      addresses,
      audit: { action: o.audit.action, details: withCounts(o.audit.details, outcome) },
    });
  }

  private async addToCollection(
    actor: Actor,
    targets: MachineTarget[],
    o: { collection: string; audit: BulkAudit; outcome: Outcome },
  ): Promise<void> {
    const db = this.ctx.db.kysely;
    const collection = await findCollection(db, o.collection);
    if (!collection)
      throw new NotFoundError('collection', o.collection, ErrorCode.COLLECTION_NOT_FOUND);
    const at = nowIso(this.ctx);
    const addresses = targets.map((t) => t.address);
    await inTransaction(db, async (tx) => {
      for (let i = 0; i < addresses.length; i += BATCH) {
        const batch = addresses.slice(i, i + BATCH);
        const already = await membersAmong(tx, { collectionId: collection.id, addresses: batch });
        o.outcome.unchanged += already.length;
        o.outcome.done += batch.length - already.length;
        await addCollectionMembers(tx, {
          collectionId: collection.id,
          addresses: batch,
          at,
          by: actor.userName,
        });
      }
      await this.writeAudit(tx, actor, o.audit, o.outcome, {
        targetType: 'collection',
        targetId: collection.id,
        collectionName: collection.name,
      });
    });
  }

  private async forget(
    actor: Actor,
    targets: MachineTarget[],
    o: { audit: BulkAudit; outcome: Outcome },
  ): Promise<void> {
    const addresses = targets.map((t) => t.address);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      for (let i = 0; i < addresses.length; i += BATCH)
        o.outcome.done += await forgetMachines(tx, addresses.slice(i, i + BATCH));
      await this.writeAudit(tx, actor, o.audit, o.outcome);
    });
  }

  private async writeAudit(
    tx: Queryable,
    actor: Actor,
    audit: BulkAudit,
    outcome: Outcome,
    target?: { targetType: string; targetId: string; collectionName: string },
  ): Promise<void> {
    await writeAudit(tx, actor, nowIso(this.ctx), {
      action: audit.action,
      targetType: target?.targetType ?? 'discovered-selection',
      targetId: target?.targetId ?? '',
      details: {
        ...withCounts(audit.details, outcome),
        ...(target ? { collectionName: target.collectionName } : {}),
      },
    });
  }
}

interface BulkAudit {
  action: string;
  details: Record<string, unknown>;
}

function withCounts(details: Record<string, unknown>, o: Outcome): Record<string, unknown> {
  return { ...details, done: o.done, unchanged: o.unchanged, failed: failedCount(o) };
}

function summarise(
  action: BulkDiscoveredResult['action'],
  matched: number,
  o: Outcome,
): BulkDiscoveredResult {
  return {
    action,
    ...summaryOf(matched, o),
    ...(o.pushJobId !== undefined ? { pushJobId: o.pushJobId } : {}),
  };
}
