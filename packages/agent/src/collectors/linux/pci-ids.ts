/** Names from a pci.ids file for the ids that were asked for (the file has ~40,000 lines). */
export interface PciNames {
  vendor(vendorId: string): string | null;
  device(vendorId: string, deviceId: string): string | null;
  /** `classId` is the 6-digit class code: class, subclass, programming interface. */
  className(classId: string): string | null;
}

/**
 * Looks up only the vendors present on this machine, so the whole database is never held as a
 * map: one pass over the text, keeping the lines of wanted vendors and the class section.
 */
export function parsePciIds(text: string, wantedVendors: ReadonlySet<string>): PciNames {
  const vendors = new Map<string, string>();
  const devices = new Map<string, string>();
  const classes = new Map<string, string>();
  const subclasses = new Map<string, string>();
  let vendor: string | undefined;
  let cls: string | undefined;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('C ')) {
      const m = /^C ([0-9a-f]{2})\s+(.*)$/.exec(line);
      cls = m?.[1];
      vendor = undefined;
      if (m?.[1] !== undefined && m[2] !== undefined) classes.set(m[1], m[2]);
      continue;
    }
    if (!line.startsWith('\t')) {
      cls = undefined;
      const m = /^([0-9a-f]{4})\s+(.*)$/.exec(line);
      vendor = m?.[1] !== undefined && wantedVendors.has(m[1]) ? m[1] : undefined;
      if (vendor !== undefined && m?.[2] !== undefined) vendors.set(vendor, m[2]);
      continue;
    }
    if (line.startsWith('\t\t')) continue; // subsystems and programming interfaces
    if (vendor !== undefined) {
      const m = /^\t([0-9a-f]{4})\s+(.*)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) devices.set(`${vendor}:${m[1]}`, m[2]);
    } else if (cls !== undefined) {
      const m = /^\t([0-9a-f]{2})\s+(.*)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) subclasses.set(`${cls}${m[1]}`, m[2]);
    }
  }
  return {
    vendor: (v) => vendors.get(v) ?? null,
    device: (v, d) => devices.get(`${v}:${d}`) ?? null,
    className: (c) => subclasses.get(c.slice(0, 4)) ?? classes.get(c.slice(0, 2)) ?? null,
  };
}

/** PCI base classes, for machines without pci.ids (the names lspci prints). */
const BASE_CLASSES: Record<string, string> = {
  '00': 'Unclassified device',
  '01': 'Mass storage controller',
  '02': 'Network controller',
  '03': 'Display controller',
  '04': 'Multimedia controller',
  '05': 'Memory controller',
  '06': 'Bridge',
  '07': 'Communication controller',
  '08': 'Generic system peripheral',
  '09': 'Input device controller',
  '0a': 'Docking station',
  '0b': 'Processor',
  '0c': 'Serial bus controller',
  '0d': 'Wireless controller',
  '0e': 'Intelligent controller',
  '0f': 'Satellite communications controller',
  '10': 'Encryption controller',
  '11': 'Signal processing controller',
  '12': 'Processing accelerators',
  '13': 'Non-Essential Instrumentation',
  '40': 'Coprocessor',
  ff: 'Unassigned class',
};

export const NO_PCI_NAMES: PciNames = {
  vendor: () => null,
  device: () => null,
  className: (c) => BASE_CLASSES[c.slice(0, 2)] ?? null,
};
