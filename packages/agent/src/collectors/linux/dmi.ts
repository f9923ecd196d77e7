import type { InventoryInstance } from '@steward/protocol';
import { pathExists } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { readAttrChecked, rootOf, under } from './sysfs.js';

const DMI = '/sys/class/dmi/id';

/** SMBIOS placeholders vendors leave in unfilled fields: reported as null, not as data. */
const PLACEHOLDERS = new Set([
  'to be filled by o.e.m.',
  'to be filled by oem',
  'default string',
  'system product name',
  'system manufacturer',
  'system version',
  'system serial number',
  'not specified',
  'not applicable',
  'none',
  'o.e.m.',
  'oem',
  '0123456789',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
]);

function meaningful(value: string | null): string | null {
  if (value === null) return null;
  return PLACEHOLDERS.has(value.toLowerCase()) ? null : value;
}

/** SMBIOS dates are `MM/DD/YYYY` (two-digit years before SMBIOS 2.3); returns an ISO date. */
export function parseBiosDate(text: string | null): string | null {
  if (text === null) return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text.trim());
  if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
  const year = m[3].length === 2 ? 1900 + Number(m[3]) : Number(m[3]);
  const month = Number(m[1]);
  const day = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return new Date(Date.UTC(year, month - 1, day)).toISOString();
}

interface DmiRead {
  values: Record<string, string | null>;
  unreadable: string[];
  present: boolean;
}

async function readDmi(root: string, names: readonly string[]): Promise<DmiRead> {
  const values: Record<string, string | null> = {};
  const unreadable: string[] = [];
  for (const name of names) {
    const r = await readAttrChecked(under(root, DMI, name));
    values[name] = meaningful(r.value);
    if (r.unreadable) unreadable.push(name);
  }
  return { values, unreadable, present: await pathExists(under(root, DMI)) };
}

function noteMissing(ctx: CollectContext, className: string, read: DmiRead): void {
  if (!read.present) {
    ctx.notePartial?.(className, `${DMI} does not exist (no SMBIOS tables exposed)`);
    return;
  }
  if (read.unreadable.length > 0)
    ctx.notePartial?.(
      className,
      `${read.unreadable.join(', ')} not readable by this agent (root only)`,
    );
}

/** The `firmware` class: one instance, whatever could be read (nulls when there is no SMBIOS). */
export const firmwareCollector: ClassCollector = {
  className: 'firmware',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const root = rootOf(ctx);
    const read = await readDmi(root, ['bios_vendor', 'bios_version', 'bios_date']);
    noteMissing(ctx, 'firmware', read);
    const v = read.values;
    return [
      {
        vendor: v['bios_vendor'] ?? null,
        version: v['bios_version'] ?? null,
        releaseDate: parseBiosDate(v['bios_date'] ?? null),
        mode: (await pathExists(under(root, '/sys/firmware/efi'))) ? 'uefi' : 'bios',
      },
    ];
  },
};

/** The `systemIdentity` class: product_serial and product_uuid are mode 0400, read when root. */
export const systemIdentityCollector: ClassCollector = {
  className: 'systemIdentity',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const read = await readDmi(rootOf(ctx), [
      'sys_vendor',
      'product_name',
      'product_version',
      'product_family',
      'product_sku',
      'product_serial',
      'product_uuid',
      'board_vendor',
      'board_name',
    ]);
    noteMissing(ctx, 'systemIdentity', read);
    const v = read.values;
    return [
      {
        manufacturer: v['sys_vendor'] ?? null,
        product: v['product_name'] ?? null,
        version: v['product_version'] ?? null,
        family: v['product_family'] ?? null,
        sku: v['product_sku'] ?? null,
        serialNumber: v['product_serial'] ?? null,
        uuid: v['product_uuid']?.toLowerCase() ?? null,
        boardVendor: v['board_vendor'] ?? null,
        boardProduct: v['board_name'] ?? null,
      },
    ];
  },
};
