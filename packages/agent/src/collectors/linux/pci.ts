import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import { readAttr, readLink, readText } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { NO_PCI_NAMES, parsePciIds, type PciNames } from './pci-ids.js';
import { hexId, rootOf, under } from './sysfs.js';

const PCI_DEVICES = '/sys/bus/pci/devices';
/** Where Debian (pciutils, pci.ids package) and Red Hat (hwdata) keep the PCI id database. */
export const PCI_IDS_PATHS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'];

interface PciRaw {
  address: string;
  vendorId: string | null;
  deviceId: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  classId: string | null;
  revision: string | null;
  modalias: string | null;
  driver: string | null;
}

async function readPciDevice(dir: string, address: string): Promise<PciRaw> {
  const attr = (name: string): Promise<string | undefined> => readAttr(`${dir}/${name}`);
  const driver = await readLink(`${dir}/driver`);
  return {
    address,
    vendorId: hexId(await attr('vendor')),
    deviceId: hexId(await attr('device')),
    subsystemVendorId: hexId(await attr('subsystem_vendor')),
    subsystemDeviceId: hexId(await attr('subsystem_device')),
    classId: hexId(await attr('class'), 6),
    revision: hexId(await attr('revision'), 2),
    modalias: (await attr('modalias')) ?? null,
    driver: driver === undefined ? null : basename(driver),
  };
}

async function loadNames(root: string, vendors: ReadonlySet<string>): Promise<PciNames | null> {
  for (const path of PCI_IDS_PATHS) {
    const text = await readText(under(root, path));
    if (text !== undefined) return parsePciIds(text, vendors);
  }
  return null;
}

export const pciDeviceCollector: ClassCollector = {
  className: 'pciDevice',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const root = rootOf(ctx);
    const base = under(root, PCI_DEVICES);
    let addresses: string[];
    try {
      addresses = (await readdir(base)).sort();
    } catch {
      ctx.notePartial?.('pciDevice', `${PCI_DEVICES} is not readable (no PCI bus, or a container)`);
      return [];
    }
    const raw: PciRaw[] = [];
    for (const address of addresses) raw.push(await readPciDevice(`${base}/${address}`, address));
    const vendors = new Set(raw.map((d) => d.vendorId).filter((v): v is string => v !== null));
    const names = await loadNames(root, vendors);
    if (names === null && raw.length > 0)
      ctx.notePartial?.(
        'pciDevice',
        `no pci.ids (${PCI_IDS_PATHS.join(', ')}): device names left empty`,
      );
    const n = names ?? NO_PCI_NAMES;
    return raw.map((d) => ({
      address: d.address,
      vendorId: d.vendorId,
      deviceId: d.deviceId,
      subsystemVendorId: d.subsystemVendorId,
      subsystemDeviceId: d.subsystemDeviceId,
      classId: d.classId,
      className: d.classId === null ? null : n.className(d.classId),
      vendorName: d.vendorId === null ? null : n.vendor(d.vendorId),
      deviceName:
        d.vendorId === null || d.deviceId === null ? null : n.device(d.vendorId, d.deviceId),
      revision: d.revision,
      modalias: d.modalias,
      driver: d.driver,
    }));
  },
};
