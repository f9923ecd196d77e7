import type {
  DeviceAction,
  DeviceDetail,
  DeviceSummary,
  InventoryInstance,
} from '@steward/protocol';
import { formatMegabytes, humanTime, orDash, plural, utcTime } from '../output/format.js';
import type { Printer } from '../output/printer.js';
import type { Style } from '../output/style.js';
import type { Column } from '../output/table.js';

export function deviceState(
  d: DeviceSummary,
): 'revoked' | 'obsolete' | 'online' | 'active' | 'inactive' {
  if (d.revokedAt !== null) return 'revoked';
  if (d.obsolete) return 'obsolete';
  if (d.online) return 'online';
  return d.active ? 'active' : 'inactive';
}

export function paintDeviceState(d: DeviceSummary, style: Style): string {
  const state = deviceState(d);
  switch (state) {
    case 'online':
      return style.green(state);
    case 'active':
      return state;
    case 'inactive':
      return style.yellow(state);
    case 'revoked':
    case 'obsolete':
      return style.red(state);
  }
}

export function osLabel(d: Pick<DeviceSummary, 'osName' | 'osVersion' | 'osFamily'>): string {
  if (d.osName !== null)
    return d.osVersion !== null && !d.osName.includes(d.osVersion)
      ? `${d.osName} ${d.osVersion}`
      : d.osName;
  return orDash(d.osFamily);
}

export const DEVICE_COLUMNS: readonly Column[] = [
  { header: 'NAME' },
  { header: 'STATUS' },
  { header: 'OS', flex: true },
  { header: 'TYPE' },
  { header: 'MEMORY', align: 'right' },
  { header: 'IP' },
  { header: 'AGENT' },
  { header: 'LAST CONTACT' },
];

export function deviceRow(d: DeviceSummary, style: Style, now: Date): string[] {
  return [
    d.name,
    paintDeviceState(d, style),
    osLabel(d),
    orDash(d.machineType),
    formatMegabytes(d.memoryTotalMb),
    d.ipAddresses[0] ?? '-',
    orDash(d.agentVersion),
    humanTime(d.lastContactAt, now),
  ];
}

export function printDevices(
  out: Printer,
  items: readonly DeviceSummary[],
  page: { total: number; offset: number; all: boolean },
): void {
  out.table(
    DEVICE_COLUMNS,
    items.map((d) => deviceRow(d, out.style, out.now)),
    'No devices.',
  );
  printPageNote(out, items.length, page);
}

/** "Showing 1-50 of 120 devices" under a page that is not all of them. */
export function printPageNote(
  out: Printer,
  count: number,
  page: { total: number; offset: number; all: boolean },
): void {
  if (count > 0 && !page.all && count < page.total) {
    out.note(
      `Showing ${page.offset + 1}-${page.offset + count} of ${page.total} devices (--offset, --limit or --all for more).`,
    );
  }
}

const when = (iso: string | null, now: Date): string =>
  iso === null ? 'never' : `${utcTime(iso)} (${humanTime(iso, now)})`;

export function printDeviceDetail(out: Printer, d: DeviceDetail): void {
  const now = out.now;
  out.heading(d.name);
  out.fields([
    ['Id', d.id],
    ['Status', paintDeviceState(d, out.style)],
    ['OS', osLabel(d)],
    ['Machine type', orDash(d.machineType)],
    ['CPU', orDash(d.cpuModel)],
    ['Memory', formatMegabytes(d.memoryTotalMb)],
    ['IP addresses', d.ipAddresses.length > 0 ? d.ipAddresses.join(', ') : '-'],
    ['Last logged-on user', orDash(d.lastLoggedOnUser)],
    ['Agent version', orDash(d.agentVersion)],
    ['Enrolled', when(d.enrolledAt, now)],
    ...(d.revokedAt !== null ? [['Revoked', when(d.revokedAt, now)] as const] : []),
    ['Last contact', when(d.lastContactAt, now)],
    ['Last policy request', when(d.lastPolicyRequestAt, now)],
    ['Last heartbeat', when(d.lastHeartbeatAt, now)],
    ['Last hardware inventory', when(d.lastHardwareInventoryAt, now)],
    ['Last software inventory', when(d.lastSoftwareInventoryAt, now)],
    ['Last status message', when(d.lastStatusAt, now)],
    [
      'Site activity check',
      d.activityCheckOutcome === null
        ? '-'
        : `${d.activityCheckOutcome} ${when(d.activityCheckedAt, now)} (${orDash(d.activityCheckDetail)})`,
    ],
    ...(d.obsoleteAt !== null ? [['Marked obsolete', when(d.obsoleteAt, now)] as const] : []),
    ['Packages', String(d.packageCount)],
    ['Collections', d.collections.length > 0 ? d.collections.map((c) => c.name).join(', ') : '-'],
  ]);
  const classes = Object.keys(d.inventory).sort();
  for (const name of classes) {
    const instances = d.inventory[name] ?? [];
    out.line();
    out.heading(
      `Inventory: ${name}${instances.length === 1 ? '' : ` (${plural(instances.length, 'instance')})`}`,
    );
    printInstances(out, instances);
  }
}

export function printInstances(out: Printer, instances: readonly InventoryInstance[]): void {
  if (instances.length === 0) {
    out.line('  (none)');
    return;
  }
  const [first] = instances;
  if (instances.length === 1 && first !== undefined) {
    const fields = Object.entries(first).map(([k, v]) => [k, instanceValue(v)] as const);
    out.fields(fields, '  ');
    return;
  }
  const keys = [...new Set(instances.flatMap((i) => Object.keys(i)))];
  out.table(
    keys.map((k) => ({ header: k, flex: true })),
    instances.map((i) => keys.map((k) => instanceValue(i[k]))),
  );
}

export function instanceValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v);
}

/** A one-line summary of an inventory instance: `name version` when it has them, else key=value pairs. */
export function summarizeInstance(i: InventoryInstance): string {
  const name = i['name'] ?? i['mountPoint'] ?? i['address'] ?? i['path'];
  if (typeof name === 'string') {
    const version = i['version'];
    return version !== undefined && version !== null ? `${name} ${String(version)}` : name;
  }
  return Object.entries(i)
    .map(([k, v]) => `${k}=${instanceValue(v)}`)
    .join(' ');
}

export const ACTION_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'ACTION' },
  { header: 'STATE' },
  { header: 'REQUESTED BY' },
  { header: 'REQUESTED' },
  { header: 'DELIVERED' },
  { header: 'COMPLETED' },
];

export function paintActionState(a: DeviceAction, style: Style): string {
  switch (a.state) {
    case 'completed':
      return style.green(a.state);
    case 'not-connected':
      return style.yellow(a.state);
    case 'pending':
    case 'delivered':
      return a.state;
  }
}

export function actionRow(a: DeviceAction, style: Style, now: Date): string[] {
  return [
    a.id,
    a.action,
    paintActionState(a, style),
    a.requestedBy,
    humanTime(a.requestedAt, now),
    humanTime(a.deliveredAt, now, '-'),
    humanTime(a.completedAt, now, '-'),
  ];
}
