import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What a boot environment knows of its machine before anything is installed (ADR 0065). */
export interface MachineIdentity {
  /** /sys/class/dmi/id/product_uuid (null: none, or the all-zero/all-F placeholder). */
  smbiosUuid: string | null;
  /** Ethernet MACs, lower case, in interface-name order (the first is the boot NIC's usually). */
  macs: string[];
  arch: string;
  firmware: 'bios' | 'uefi';
  /** PCI and USB modaliases (driver matching against the catalog, ADR 0055). */
  modaliases: string[];
}

async function text(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads the identity from sysfs (`sys` is `/sys`; tests pass a tree of their own). */
export async function identifyMachine(sys = '/sys'): Promise<MachineIdentity> {
  const rawUuid = (await text(join(sys, 'class/dmi/id/product_uuid')))?.toLowerCase();
  const smbiosUuid =
    rawUuid && UUID.test(rawUuid) && !/^[0-]+$/.test(rawUuid) && !/^[f-]+$/.test(rawUuid)
      ? rawUuid
      : null;
  const macs: string[] = [];
  for (const link of await entries(join(sys, 'class/net'))) {
    // type 1 is ARPHRD_ETHER; loopback, tunnels and bridges are left out.
    if ((await text(join(sys, 'class/net', link, 'type'))) !== '1') continue;
    const mac = (await text(join(sys, 'class/net', link, 'address')))?.toLowerCase();
    if (mac && mac !== '00:00:00:00:00:00' && !macs.includes(mac)) macs.push(mac);
  }
  const modaliases: string[] = [];
  for (const bus of ['pci', 'usb']) {
    for (const dev of await entries(join(sys, 'bus', bus, 'devices'))) {
      const alias = await text(join(sys, 'bus', bus, 'devices', dev, 'modalias'));
      if (alias && !modaliases.includes(alias)) modaliases.push(alias);
    }
  }
  let firmware: 'bios' | 'uefi' = 'bios';
  try {
    if ((await stat(join(sys, 'firmware/efi'))).isDirectory()) firmware = 'uefi';
  } catch {
    // No EFI runtime services: booted by a BIOS (or CSM).
  }
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return { smbiosUuid, macs, arch, firmware, modaliases };
}
