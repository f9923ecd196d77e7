import {
  BUILTIN_DEVICE_COLUMNS,
  type DeviceColumnValue,
  type DeviceSummary,
  INVENTORY_COLUMN_PATTERN,
  deviceColumnLabel,
  parseDeviceColumn,
  splitColumnList,
} from '@steward/protocol';
import { usageError } from '../errors.js';
import { formatMegabytes, humanTime, orDash } from '../output/format.js';
import type { Printer } from '../output/printer.js';
import type { Column } from '../output/table.js';
import { osLabel, paintDeviceState } from './device-views.js';

const inventoryId = new RegExp(INVENTORY_COLUMN_PATTERN);

/** `--columns a,b,c`: ids of the column catalogue (ADR 0034), checked for shape here. */
export function parseColumnsFlag(text: string): string[] {
  const ids = splitColumnList(text);
  if (ids.length === 0) throw usageError('--columns needs at least one column');
  for (const id of ids) {
    if (!parseDeviceColumn(id))
      throw usageError(
        `--columns: unknown column "${id}" (one of ${BUILTIN_DEVICE_COLUMNS.map((c) => c.id).join(', ')}, or inventory.<class>.<property>)`,
      );
  }
  return ids;
}

/** Whether `--sort` names an inventory property (`inventory.cpu.model`). */
export function isInventorySort(text: string): text is `inventory.${string}` {
  return inventoryId.test(text);
}

function valueText(v: DeviceColumnValue | undefined): string {
  if (v === undefined || v === null) return '-';
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.map((x) => orDash(String(x))).join(', ');
  return String(v);
}

/** One cell of a chosen column, as plain text (the console draws the same ids richer). */
export function columnText(id: string, d: DeviceSummary, printer: Printer): string {
  const now = printer.now;
  switch (id) {
    case 'name':
      return d.name;
    case 'os':
      return osLabel(d);
    case 'machineType':
      return orDash(d.machineType);
    case 'status':
      return paintDeviceState(d, printer.style);
    case 'lastContact':
      return humanTime(d.lastContactAt, now);
    case 'memory':
      return formatMegabytes(d.memoryTotalMb);
    case 'user':
      return orDash(d.lastLoggedOnUser);
    case 'address':
      return d.ipAddresses.join(', ') || '-';
    case 'agentVersion':
      return orDash(d.agentVersion);
    case 'enrolled':
      return humanTime(d.enrolledAt, now);
    case 'lastInventory':
      return humanTime(d.lastInventoryAt, now);
    case 'freeDisk': {
      const v = d.values?.freeDisk;
      return typeof v === 'number' ? formatMegabytes(v) : '-';
    }
    default:
      return valueText(d.values?.[id]);
  }
}

/** A device table of the chosen columns, in their order. */
export function printDeviceColumns(
  out: Printer,
  items: readonly DeviceSummary[],
  columns: readonly string[],
): void {
  const header: Column[] = columns.map((id) => ({
    header: deviceColumnLabel(id).toUpperCase(),
    ...(id === 'os' ? { flex: true } : {}),
  }));
  out.table(
    header,
    items.map((d) => columns.map((id) => columnText(id, d, out))),
    'No devices.',
  );
}
