import { readdir, readFile } from 'node:fs/promises';
import type { InventoryInstance } from '@steward/protocol';
import { readAttr, readLink } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { rootOf, under } from './sysfs.js';

const SYS_BLOCK = '/sys/block';

/**
 * Block devices that are not physical storage: loop files, RAM disks, zram swap, device-mapper
 * (LVM, LUKS) and md RAID sit on top of the physical devices, which are listed themselves.
 */
export function isPhysicalBlockName(name: string): boolean {
  return !/^(loop|ram|zram|dm-|md|nbd|fd)\d*/.test(name);
}

/** The transport from where the device sits in /sys/devices (`../devices/pci.../usb1/...`). */
export function transportOf(name: string, target: string | undefined): string | null {
  if (name.startsWith('nvme')) return 'nvme';
  if (name.startsWith('mmcblk')) return 'mmc';
  const t = target ?? '';
  if (t.includes('/usb')) return 'usb';
  if (/\/virtio\d/.test(t)) return name.startsWith('vd') ? 'virtio' : 'virtio-scsi';
  if (t.includes('/ata')) return 'sata';
  if (t.includes('/vmbus') || t.includes('/hv_')) return 'hyperv';
  if (t.includes('/xen') || name.startsWith('xvd')) return 'xen';
  if (t.includes('/host') && t.includes('/target')) return 'scsi';
  return null;
}

/** VPD page 0x80 (unit serial number): 4-byte header, then the serial in ASCII. */
export function serialFromVpd80(buf: Buffer): string | null {
  if (buf.length < 4 || buf[1] !== 0x80) return null;
  const len = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
  const text = buf
    .subarray(4, 4 + len)
    .toString('latin1')
    .replace(/[\x00-\x1f]/g, '')
    .trim();
  return text === '' ? null : text;
}

async function serialOf(dir: string): Promise<{ serial: string | null; unreadable: boolean }> {
  for (const path of [`${dir}/device/serial`, `${dir}/serial`]) {
    const v = await readAttr(path);
    if (v !== undefined) return { serial: v, unreadable: false };
  }
  try {
    return { serial: serialFromVpd80(await readFile(`${dir}/device/vpd_pg80`)), unreadable: false };
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    return { serial: null, unreadable: code === 'EACCES' || code === 'EPERM' };
  }
}

const bool = (v: string | undefined): boolean | null => (v === undefined ? null : v === '1');

export const storageDeviceCollector: ClassCollector = {
  className: 'storageDevice',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const base = under(rootOf(ctx), SYS_BLOCK);
    let names: string[];
    try {
      names = (await readdir(base)).sort();
    } catch {
      ctx.notePartial?.('storageDevice', `${SYS_BLOCK} is not readable`);
      return [];
    }
    const out: InventoryInstance[] = [];
    const unreadableSerials: string[] = [];
    for (const name of names) {
      if (!isPhysicalBlockName(name)) continue;
      const dir = `${base}/${name}`;
      const sectors = Number(await readAttr(`${dir}/size`));
      const removable = bool(await readAttr(`${dir}/removable`));
      // An empty card reader or optical drive is still hardware; a zero-size virtual device is not.
      if (!(sectors > 0) && removable !== true) continue;
      const { serial, unreadable } = await serialOf(dir);
      if (unreadable) unreadableSerials.push(name);
      out.push({
        name,
        vendor: (await readAttr(`${dir}/device/vendor`)) ?? null,
        model: (await readAttr(`${dir}/device/model`)) ?? null,
        serialNumber: serial,
        // `size` counts 512-byte sectors whatever the device's logical block size.
        sizeMb: Number.isFinite(sectors) ? Math.round((sectors * 512) / (1024 * 1024)) : null,
        rotational: bool(await readAttr(`${dir}/queue/rotational`)),
        removable,
        transport: transportOf(name, await readLink(dir)),
      });
    }
    if (unreadableSerials.length > 0)
      ctx.notePartial?.(
        'storageDevice',
        `serial number of ${unreadableSerials.join(', ')} not readable by this agent (root only)`,
      );
    return out;
  },
};
