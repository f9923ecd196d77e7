import { Type } from '@sinclair/typebox';
import {
  type DeviceColumnSource,
  type DeviceColumnValue,
  ErrorCode,
  InputError,
  InventoryInstance,
  type PropertyType,
  type PropertyValue,
  deviceColumnSource,
  parseDeviceColumn,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { cachedClassCatalog } from '../inventory/classes.js';

/** An inventory-backed column, checked against the site's class catalogue (ADR 0034). */
export interface InventoryColumn {
  id: string;
  source: DeviceColumnSource;
  type: PropertyType;
  multiInstance: boolean;
}

const Instances = Type.Array(InventoryInstance);

function unknownColumn(id: string, why: string): InputError {
  return new InputError(ErrorCode.DEVICE_COLUMN_UNKNOWN, `column "${id}": ${why}`, { column: id });
}

/**
 * Checks column ids (and a sort key) against the catalogue and the site's inventory classes;
 * returns the inventory-backed ones. An id naming nothing is DEVICE_COLUMN_UNKNOWN.
 */
export async function inventoryColumnsOf(
  ctx: SiteContext,
  ids: readonly string[],
): Promise<InventoryColumn[]> {
  const catalog = await cachedClassCatalog(ctx);
  const out: InventoryColumn[] = [];
  for (const id of new Set(ids)) {
    if (!parseDeviceColumn(id)) throw unknownColumn(id, 'no such column');
    const source = deviceColumnSource(id);
    if (!source) continue;
    const shape = catalog.get(source.className);
    // Packages live in shared package sets, not in device_inventory: a list of them is the
    // device's Software tab, not a column.
    if (!shape || shape.name === 'package')
      throw unknownColumn(id, `no inventory class "${source.className}"`);
    const type = shape.properties[source.property];
    if (!type) throw unknownColumn(id, `class ${shape.name} has no property "${source.property}"`);
    out.push({ id, source, type, multiInstance: shape.multiInstance });
  }
  return out;
}

/** The value of one column from one device's stored instances of the column's class. */
export function columnValue(
  column: InventoryColumn,
  instances: readonly InventoryInstance[],
): DeviceColumnValue {
  const where = column.source.where;
  const chosen = where ? instances.filter((i) => i[where.property] === where.equals) : instances;
  const values: PropertyValue[] = chosen.map((i) => i[column.source.property] ?? null);
  if (!column.multiInstance || where) return values[0] ?? null;
  return values;
}

/**
 * The columns' values for a page of devices, from the rows one query returned (every class the
 * columns need, for every device of the page).
 */
export function columnValuesByDevice(
  columns: readonly InventoryColumn[],
  rows: readonly { device_id: string; class_name: string; data: unknown }[],
): Map<string, Record<string, DeviceColumnValue>> {
  const instances = new Map<string, InventoryInstance[]>();
  for (const r of rows) {
    instances.set(
      `${r.device_id}\u0000${r.class_name}`,
      parseJsonColumn(Instances, r.data, {
        table: 'device_inventory',
        id: `${r.device_id}/${r.class_name}`,
        column: 'data',
      }),
    );
  }
  const deviceIds = new Set(rows.map((r) => r.device_id));
  const out = new Map<string, Record<string, DeviceColumnValue>>();
  for (const deviceId of deviceIds) {
    const values: Record<string, DeviceColumnValue> = {};
    for (const c of columns) {
      values[c.id] = columnValue(c, instances.get(`${deviceId}\u0000${c.source.className}`) ?? []);
    }
    out.set(deviceId, values);
  }
  return out;
}
