import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import { readAttr, readLink, readText } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { hexId, rootOf, under } from './sysfs.js';

const USB_DEVICES = '/sys/bus/usb/devices';

/** `KEY=value` lines of a sysfs uevent file. */
export function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A device's entry is `usbN` (root hub) or `B-P[.P...]` (port path); `B-P:C.I` entries are its
 * interfaces, which carry the modalias udev matches on and the drivers that do the work.
 */
export function isUsbDeviceEntry(name: string): boolean {
  return /^usb\d+$/.test(name) || /^\d+-\d+(\.\d+)*$/.test(name);
}

async function interfacesOf(base: string, names: readonly string[], device: string) {
  const out: { modalias: string | null; driver: string | null }[] = [];
  // A root hub `usbN` names its interfaces `N-0:C.I`.
  const root = /^usb(\d+)$/.exec(device)?.[1];
  const prefix = root === undefined ? `${device}:` : `${root}-0:`;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const uevent = parseUevent((await readText(`${base}/${name}/uevent`)) ?? '');
    const driver = await readLink(`${base}/${name}/driver`);
    out.push({
      modalias: uevent.get('MODALIAS') ?? null,
      driver: driver === undefined ? null : basename(driver),
    });
  }
  return out;
}

export const usbDeviceCollector: ClassCollector = {
  className: 'usbDevice',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const base = under(rootOf(ctx), USB_DEVICES);
    let names: string[];
    try {
      names = (await readdir(base)).sort();
    } catch {
      ctx.notePartial?.('usbDevice', `${USB_DEVICES} is not readable (no USB controller)`);
      return [];
    }
    const out: InventoryInstance[] = [];
    for (const name of names) {
      if (!isUsbDeviceEntry(name)) continue;
      const dir = `${base}/${name}`;
      const attr = async (a: string): Promise<string | null> =>
        (await readAttr(`${dir}/${a}`)) ?? null;
      const uevent = parseUevent((await readText(`${dir}/uevent`)) ?? '');
      const interfaces = await interfacesOf(base, names, name);
      const driver = await readLink(`${dir}/driver`);
      const drivers = [
        ...new Set(interfaces.map((i) => i.driver).filter((d): d is string => d !== null)),
      ];
      if (drivers.length === 0 && driver !== undefined) drivers.push(basename(driver));
      const speed = Number(await attr('speed'));
      out.push({
        busPath: name,
        vendorId: hexId(await attr('idVendor')),
        productId: hexId(await attr('idProduct')),
        manufacturer: await attr('manufacturer'),
        product: await attr('product'),
        serialNumber: await attr('serial'),
        deviceClass: hexId(await attr('bDeviceClass'), 2),
        speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
        // The device's own uevent has no MODALIAS; its first interface's is what udev matches.
        modalias:
          uevent.get('MODALIAS') ?? interfaces.find((i) => i.modalias !== null)?.modalias ?? null,
        driver: drivers.length === 0 ? null : drivers.join(','),
      });
    }
    return out;
  },
};
