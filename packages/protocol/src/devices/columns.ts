import { type Static, Type } from '@sinclair/typebox';
import { PropertyValue } from '../inventory/schemas.js';

/**
 * The device list's column catalogue (ADR 0034): declared once, here, so the console's column
 * chooser, the CLI's `--columns`, saved views and exports name columns with the same ids.
 *
 * A column is either one of the built-in ones below or any inventory property, named
 * `inventory.<class>.<property>` (built-in and custom classes alike). Columns backed by the
 * inventory are resolved by the server for one page at a time and returned in
 * `DeviceSummary.values`, keyed by column id.
 */

/** Where an inventory-backed column reads its value. */
export interface DeviceColumnSource {
  className: string;
  property: string;
  /** Of a multi-instance class: the instance whose `property` equals `equals` (else: all). */
  where?: { property: string; equals: string };
}

export const DeviceSort = Type.Union([
  Type.Literal('name'),
  Type.Literal('os'),
  Type.Literal('machineType'),
  Type.Literal('lastContact'),
  Type.Literal('enrolledAt'),
  Type.Literal('memory'),
  Type.Literal('user'),
  Type.Literal('address'),
  Type.Literal('agentVersion'),
  Type.Literal('lastInventory'),
  Type.Literal('serial'),
  Type.Literal('freeDisk'),
]);
export type DeviceSort = Static<typeof DeviceSort>;

export interface BuiltinDeviceColumn {
  id: string;
  label: string;
  /** The sort key of the column, when the list can be ordered by it. */
  sort?: DeviceSort;
  /** Set when the value comes from the device's inventory rather than the device row. */
  source?: DeviceColumnSource;
}

export const BUILTIN_DEVICE_COLUMNS = [
  { id: 'name', label: 'Name', sort: 'name' },
  { id: 'os', label: 'Operating system', sort: 'os' },
  { id: 'machineType', label: 'Type', sort: 'machineType' },
  { id: 'status', label: 'Status' },
  { id: 'lastContact', label: 'Last contact', sort: 'lastContact' },
  { id: 'memory', label: 'Memory', sort: 'memory' },
  { id: 'user', label: 'Last user', sort: 'user' },
  { id: 'address', label: 'Address', sort: 'address' },
  { id: 'agentVersion', label: 'Agent version', sort: 'agentVersion' },
  { id: 'enrolled', label: 'Enrolled', sort: 'enrolledAt' },
  { id: 'lastInventory', label: 'Last inventory', sort: 'lastInventory' },
  {
    id: 'serial',
    label: 'Serial number',
    sort: 'serial',
    source: { className: 'machine', property: 'serialNumber' },
  },
  {
    id: 'freeDisk',
    label: 'Free disk (/)',
    sort: 'freeDisk',
    source: {
      className: 'disk',
      property: 'freeMb',
      where: { property: 'mountPoint', equals: '/' },
    },
  },
] as const satisfies readonly BuiltinDeviceColumn[];

export type BuiltinDeviceColumnId = (typeof BUILTIN_DEVICE_COLUMNS)[number]['id'];

/** The columns a list shows when nobody chose any. */
export const DEFAULT_DEVICE_COLUMNS: readonly BuiltinDeviceColumnId[] = [
  'name',
  'os',
  'machineType',
  'status',
  'lastContact',
  'memory',
  'user',
];

/** The most columns one list shows (and the server resolves for one page). */
export const MAX_DEVICE_COLUMNS = 30;

const NAME = '[A-Za-z][A-Za-z0-9_]{0,63}';
/** `inventory.<class>.<property>`: any inventory property as a column (and a sort key). */
export const INVENTORY_COLUMN_PATTERN = `^inventory\\.${NAME}\\.${NAME}$`;
export const InventoryColumnId = Type.String({ pattern: INVENTORY_COLUMN_PATTERN, maxLength: 140 });

/** A sort key of `GET /devices`: a built-in one or an inventory property. */
export const DeviceListSort = Type.Union([DeviceSort, InventoryColumnId]);
export type DeviceListSort = Static<typeof DeviceListSort>;

/** A column's value for one device: one value, or (multi-instance class) one per instance. */
export const DeviceColumnValue = Type.Union([PropertyValue, Type.Array(PropertyValue)]);
export type DeviceColumnValue = Static<typeof DeviceColumnValue>;

/** What a column id names; undefined when it names nothing in the catalogue's shape. */
export type ParsedDeviceColumn =
  | { kind: 'builtin'; column: BuiltinDeviceColumn }
  | { kind: 'inventory'; id: string; source: DeviceColumnSource };

const inventoryId = new RegExp(INVENTORY_COLUMN_PATTERN);

/**
 * Parses a column id. An inventory id is only checked for shape here: whether its class and
 * property exist is the site's class catalogue's answer (custom classes live there).
 */
export function parseDeviceColumn(id: string): ParsedDeviceColumn | undefined {
  const builtin = BUILTIN_DEVICE_COLUMNS.find((c) => c.id === id);
  if (builtin) return { kind: 'builtin', column: builtin };
  if (!inventoryId.test(id)) return undefined;
  const [, className = '', property = ''] = id.split('.');
  return { kind: 'inventory', id, source: { className, property } };
}

/** The inventory source of a column id, if it reads the inventory. */
export function deviceColumnSource(id: string): DeviceColumnSource | undefined {
  const parsed = parseDeviceColumn(id);
  if (!parsed) return undefined;
  return parsed.kind === 'inventory' ? parsed.source : parsed.column.source;
}

/** A column's header: its catalogue label, or `class.property` for an inventory column. */
export function deviceColumnLabel(id: string): string {
  const parsed = parseDeviceColumn(id);
  if (!parsed) return id;
  return parsed.kind === 'builtin'
    ? parsed.column.label
    : `${parsed.source.className}.${parsed.source.property}`;
}

/** Splits a comma-separated column list (`--columns`, `columns=`), dropping blanks. */
export function splitColumnList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
