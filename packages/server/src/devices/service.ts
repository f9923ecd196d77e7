import { Type } from '@sinclair/typebox';
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
  NUDGE_ACTIONS,
  type NudgeAction,
  ConflictError,
  type DeviceSort,
  InputError,
  NotFoundError,
  splitColumnList,
} from '@steward/protocol';
import type { RawBuilder } from 'kysely';
import { columnValue, columnValuesByDevice, inventoryColumnsOf } from './columns.js';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { type PushHub } from '../push/push-hub.js';
import { notifyCollection } from './client-notification.js';
import {
  inventoryChangesOf,
  inventoryOfDevice,
  inventoryOfDevices,
  inventorySortValue,
} from '../inventory/repository.js';
import { packageSetItemsPage } from '../inventory/package-set-repository.js';
import { collectionsOfDevice } from '../collections/membership-repository.js';
import { findDeviceAction, insertDeviceActions, recentActionsOf } from './action-repository.js';
import {
  findDeviceByIdOrName,
  listDeviceRows,
  newActionRow,
  revokeDevice,
  toDeviceSummary,
  type DeviceRow,
  type DeviceSortColumn,
} from './repository.js';
import { inTransaction } from '../db/database.js';
import { deviceMatchOf } from './device-match.js';
import { inWriteTransaction } from '../db/group-commit.js';

const Instances = Type.Array(InventoryInstance);

/** Sort keys read from the device row; the others (serial, free disk) read the inventory. */
const SORT_COLUMNS = {
  name: 'name',
  os: 'os_name',
  machineType: 'machine_type',
  lastContact: 'last_contact_at',
  enrolledAt: 'enrolled_at',
  memory: 'memory_total_mb',
  user: 'last_logged_on_user',
  address: 'ip_addresses',
  agentVersion: 'agent_version',
  lastInventory: 'last_inventory_at',
} as const satisfies Partial<Record<DeviceSort, DeviceSortColumn>>;

const NEWEST_FIRST: readonly string[] = ['lastContact', 'enrolledAt', 'lastInventory'];

function sortColumnOf(sort: string): DeviceSortColumn | undefined {
  for (const [key, column] of Object.entries(SORT_COLUMNS)) if (key === sort) return column;
  return undefined;
}

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
    const sortKey = q.sort ?? 'name';
    const columns = await inventoryColumnsOf(this.ctx, splitColumnList(q.columns ?? ''));
    const { rows, total } = await listDeviceRows(this.ctx.db.kysely, {
      ...(await deviceMatchOf(this.ctx, q)),
      sort: await this.sortOf(sortKey),
      order: q.order ?? (NEWEST_FIRST.includes(sortKey) ? 'desc' : 'asc'),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    const items = rows.map((r) => toDeviceSummary(r, now));
    if (columns.length === 0) return { items, total };
    // One statement for the page's inventory-backed columns, never one per row (ADR 0034).
    const inventory = await inventoryOfDevices(this.ctx.db.kysely, {
      deviceIds: items.map((d) => d.id),
      classNames: [...new Set(columns.map((c) => c.source.className))],
    });
    const byDevice = columnValuesByDevice(columns, inventory);
    for (const item of items) {
      const found = byDevice.get(item.id);
      item.values = Object.fromEntries(
        columns.map((c) => [c.id, found?.[c.id] ?? columnValue(c, [])]),
      );
    }
    return { items, total };
  }

  /** A sort key as what the repository orders by; an unknown inventory property is refused. */
  private async sortOf(sort: string): Promise<DeviceSortColumn | RawBuilder<unknown>> {
    const column = sortColumnOf(sort);
    if (column) return column;
    const [inventory] = await inventoryColumnsOf(this.ctx, [sort]);
    if (!inventory) throw new InputError(ErrorCode.DEVICE_COLUMN_UNKNOWN, `cannot sort by ${sort}`);
    return inventorySortValue(this.ctx.db.dialect, { ...inventory.source, type: inventory.type });
  }

  async get(actor: Actor, idOrName: string): Promise<DeviceDetail> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    const db = this.ctx.db.kysely;
    const inv = await inventoryOfDevice(db, row.id);
    const collections = await collectionsOfDevice(db, row.id);
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
    return packageSetItemsPage(this.ctx.db.kysely, {
      setId: row.package_set_id,
      search: q.search,
      offset: q.offset ?? 0,
      limit: q.limit ?? 100,
    });
  }

  async history(
    actor: Actor,
    idOrName: string,
    q: { className?: string | undefined; limit?: number | undefined; before?: string | undefined },
  ): Promise<InventoryChange[]> {
    authorize(actor, 'read');
    const row = await this.mustFind(idOrName);
    const rows = await inventoryChangesOf(this.ctx.db.kysely, {
      deviceId: row.id,
      className: q.className,
      before: q.before,
      limit: q.limit ?? 100,
    });
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
    const rows = await recentActionsOf(this.ctx.db.kysely, row.id);
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
    // Through the group commit: an administrator's script nudging a fleet one device at a time
    // sends many of these at once, and on SQLite each would otherwise wait for its own fsync.
    await inWriteTransaction(this.ctx.db, async (tx) => {
      await insertDeviceActions(tx, [row]);
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
    const stored = await findDeviceAction(this.ctx.db.kysely, row.id);
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
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await revokeDevice(tx, { deviceId: device.id, at });
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
      await this.ctx.bus.publish('device-revoked', { deviceIds: [device.id] });
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
  // Stored text back to the union: an unknown value (a newer site's action) reads as the last.
  const action: NudgeAction = NUDGE_ACTIONS.find((a) => a === r.action) ?? 'deployments:evaluate';
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
