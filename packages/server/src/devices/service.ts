import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import {
  ErrorCode,
  type CollectionActionResult,
  type DeviceAction,
  type DeviceDetail,
  type DevicePackage,
  type DeviceSummary,
  type InventoryChange,
  InventoryInstance,
  type ListDevicesQuery,
  type NudgeAction,
  ConflictError,
  NotFoundError,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { activeThresholdDays } from '../site/site-settings.js';
import { authorize, nowIso } from '../context.js';
import { toNumber } from '../db/database.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { type PushHub } from '../push/push-hub.js';
import { notifyCollection } from './client-notification.js';
import {
  ONLINE_WINDOW_MS,
  findDeviceByIdOrName,
  newActionRow,
  toDeviceSummary,
  type DeviceRow,
} from './repository.js';
import { containsPattern } from '../db/like.js';

const Instances = Type.Array(InventoryInstance);

const SORT_COLUMNS = {
  name: 'name',
  os: 'os_name',
  machineType: 'machine_type',
  lastContact: 'last_contact_at',
  enrolledAt: 'enrolled_at',
  memory: 'memory_total_mb',
} as const;

export class DeviceService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly push: PushHub,
  ) {}

  private async mustFind(idOrName: string): Promise<DeviceRow> {
    const row = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!row) throw new NotFoundError('device', idOrName);
    return row;
  }

  async list(
    actor: Actor,
    q: ListDevicesQuery,
  ): Promise<{ items: DeviceSummary[]; total: number }> {
    authorize(actor, 'read');
    const now = this.ctx.clock.now();
    const activeSince = new Date(now.getTime() - activeThresholdDays() * 86400_000).toISOString();
    let base = this.ctx.db.kysely.selectFrom('device');
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) =>
        eb.or([
          sql<boolean>`lower(name) like ${pattern} escape '\\'`,
          sql<boolean>`lower(coalesce(os_name, '')) like ${pattern} escape '\\'`,
          sql<boolean>`lower(ip_addresses) like ${pattern} escape '\\'`,
          sql<boolean>`lower(coalesce(last_logged_on_user, '')) like ${pattern} escape '\\'`,
          eb('id', '=', q.search ?? ''),
        ]),
      );
    }
    if (q.collection) {
      const collection = await this.ctx.db.kysely
        .selectFrom('collection')
        .select('id')
        .where((eb) =>
          eb.or([eb('id', '=', q.collection ?? ''), eb('name', '=', q.collection ?? '')]),
        )
        .executeTakeFirst();
      if (!collection) throw new NotFoundError('collection', q.collection);
      base = base.where('id', 'in', (eb) =>
        eb
          .selectFrom('collection_member')
          .select('device_id')
          .where('collection_id', '=', collection.id),
      );
    }
    switch (q.status) {
      case undefined:
        break;
      case 'active':
        base = base.where('revoked_at', 'is', null).where('last_contact_at', '>=', activeSince);
        break;
      case 'inactive':
        base = base
          .where('revoked_at', 'is', null)
          .where((eb) =>
            eb.or([eb('last_contact_at', 'is', null), eb('last_contact_at', '<', activeSince)]),
          );
        break;
      case 'revoked':
        base = base.where('revoked_at', 'is not', null);
        break;
      case 'online':
        base = base
          .where('revoked_at', 'is', null)
          .where('push_seen_at', '>=', new Date(now.getTime() - ONLINE_WINDOW_MS).toISOString());
        break;
    }
    const totalRow = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const column = SORT_COLUMNS[q.sort ?? 'name'];
    const dir = q.order ?? (q.sort === 'lastContact' || q.sort === 'enrolledAt' ? 'desc' : 'asc');
    // Nulls last in both dialects, then a stable tie-breaker so pages never overlap.
    const rows = await base
      .selectAll()
      .orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`)
      .orderBy(column, dir)
      .orderBy('id')
      .offset(q.offset ?? 0)
      .limit(q.limit ?? 50)
      .execute();
    return { items: rows.map((r) => toDeviceSummary(r, now)), total: toNumber(totalRow?.n) };
  }

  async get(actor: Actor, idOrName: string): Promise<DeviceDetail> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    const db = this.ctx.db.kysely;
    const inv = await db
      .selectFrom('device_inventory')
      .select(['class_name', 'data'])
      .where('device_id', '=', row.id)
      .orderBy('class_name')
      .execute();
    const collections = await db
      .selectFrom('collection_member as m')
      .innerJoin('collection as c', 'c.id', 'm.collection_id')
      .select(['c.id', 'c.name'])
      .where('m.device_id', '=', row.id)
      .orderBy('c.name')
      .execute();
    return {
      ...toDeviceSummary(row, this.ctx.clock.now()),
      inventory: Object.fromEntries(
        inv.map((r) => [
          r.class_name,
          parseJsonColumn(Instances, r.data, {
            table: 'device_inventory',
            id: `${row.id}/${r.class_name}`,
            column: 'data',
          }),
        ]),
      ),
      packageSetHash: row.package_set_id,
      collections,
    };
  }

  async packages(
    actor: Actor,
    idOrName: string,
    q: { search?: string | undefined; offset?: number | undefined; limit?: number | undefined },
  ): Promise<{ items: DevicePackage[]; total: number }> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    if (!row.package_set_id) return { items: [], total: 0 };
    let base = this.ctx.db.kysely
      .selectFrom('package_set_item')
      .where('set_id', '=', row.package_set_id);
    if (q.search)
      base = base.where(sql<boolean>`lower(name) like ${containsPattern(q.search)} escape '\\'`);
    const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const items = await base
      .select(['name', 'version', 'arch', 'manager'])
      .orderBy('name')
      .orderBy('arch')
      .offset(q.offset ?? 0)
      .limit(q.limit ?? 100)
      .execute();
    return { items, total: toNumber(total?.n) };
  }

  async history(
    actor: Actor,
    idOrName: string,
    q: { className?: string | undefined; limit?: number | undefined; before?: string | undefined },
  ): Promise<InventoryChange[]> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    let query = this.ctx.db.kysely
      .selectFrom('inventory_change')
      .selectAll()
      .where('device_id', '=', row.id)
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100);
    if (q.className) query = query.where('class_name', '=', q.className);
    if (q.before) query = query.where(sql<boolean>`id < ${Number(q.before)}`);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      className: r.class_name,
      added: parseJsonColumn(Instances, r.added, {
        table: 'inventory_change',
        id: String(r.id),
        column: 'added',
      }),
      removed: parseJsonColumn(Instances, r.removed, {
        table: 'inventory_change',
        id: String(r.id),
        column: 'removed',
      }),
    }));
  }

  async actions(actor: Actor, idOrName: string): Promise<DeviceAction[]> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    const rows = await this.ctx.db.kysely
      .selectFrom('device_action')
      .selectAll()
      .where('device_id', '=', row.id)
      .orderBy('requested_at', 'desc')
      .limit(100)
      .execute();
    return rows.map(toAction);
  }

  /** "Collect inventory now" / "fetch policy now": recorded, then nudged through the push channel. */
  async requestAction(actor: Actor, idOrName: string, action: NudgeAction): Promise<DeviceAction> {
    authorize(actor, 'devices:act');
    const device = await this.mustFind(idOrName);
    if (device.revoked_at)
      throw new ConflictError(ErrorCode.DEVICE_REVOKED, `device "${device.name}" is revoked`);
    const row = newActionRow(device, {
      action,
      requestedBy: actor.userName,
      now: this.ctx.clock.now(),
      heldHere: this.push.isConnected(device.id),
    });
    await this.ctx.db.kysely.transaction().execute(async (tx) => {
      await tx.insertInto('device_action').values(row).execute();
      await writeAudit(tx, actor, row.requested_at, {
        action: `device.${action}`,
        targetType: 'device',
        targetId: device.id,
        details: { requestId: row.id },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'NUDGE_SENT_TO_DEVICE',
          insertionStrings: [action, device.name, actor.userName],
          attributes: { deviceId: device.id, requestId: row.id },
          deviceId: device.id,
        },
        tx,
      );
    });
    await this.push.publish([{ deviceId: device.id, requestId: row.id, action }]);
    const stored = await this.ctx.db.kysely
      .selectFrom('device_action')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    return toAction(stored);
  }

  /** Client notification for every member of a collection. */
  notifyCollection(
    actor: Actor,
    collectionIdOrName: string,
    action: NudgeAction,
  ): Promise<CollectionActionResult> {
    return notifyCollection(this.ctx, this.push, actor, collectionIdOrName, action);
  }

  async revoke(actor: Actor, idOrName: string): Promise<DeviceSummary> {
    authorize(actor, 'devices:write');
    const device = await this.mustFind(idOrName);
    const at = nowIso(this.ctx);
    if (!device.revoked_at) {
      await this.ctx.db.kysely.transaction().execute(async (tx) => {
        await tx
          .updateTable('device')
          .set({ revoked_at: at })
          .where('id', '=', device.id)
          .execute();
        await writeAudit(tx, actor, at, {
          action: 'device.revoke',
          targetType: 'device',
          targetId: device.id,
          details: { name: device.name },
        });
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'DEVICE_REVOKED',
            insertionStrings: [device.name, actor.userName],
            attributes: { deviceId: device.id },
            deviceId: device.id,
          },
          tx,
        );
      });
      await this.ctx.bus.publish('device-revoked', { deviceId: device.id });
      // The evaluator takes it out of every collection and records that in the membership history.
      await this.ctx.bus.publish('inventory-changed', { deviceIds: [device.id] });
    }
    return toDeviceSummary(await this.mustFind(device.id), this.ctx.clock.now());
  }
}

function toAction(r: {
  id: string;
  device_id: string;
  action: string;
  requested_by: string;
  requested_at: string;
  delivered_at: string | null;
  completed_at: string | null;
  not_connected: number;
}): DeviceAction {
  const action: NudgeAction =
    r.action === 'policy:fetch'
      ? 'policy:fetch'
      : r.action === 'inventory:collect'
        ? 'inventory:collect'
        : 'deployments:evaluate';
  return {
    id: r.id,
    deviceId: r.device_id,
    action,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    deliveredAt: r.delivered_at,
    completedAt: r.completed_at,
    state: r.completed_at
      ? 'completed'
      : r.delivered_at
        ? 'delivered'
        : r.not_connected
          ? 'not-connected'
          : 'pending',
  };
}
