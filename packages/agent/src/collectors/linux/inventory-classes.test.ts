import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectInventory, type PartialCollection } from '../../inventory/collect.js';
import type { CollectContext } from '../types.js';
import {
  isSystemUser,
  localGroupCollector,
  localUserCollector,
  parseLoginDefs,
  parsePasswd,
} from './accounts.js';
import { firmwareCollector, parseBiosDate, systemIdentityCollector } from './dmi.js';
import { decodeProcNetAddress, listeningPortCollector, parseProcNet } from './listening-ports.js';
import { pciDeviceCollector } from './pci.js';
import { parsePciIds } from './pci-ids.js';
import {
  isPhysicalBlockName,
  serialFromVpd80,
  storageDeviceCollector,
  transportOf,
} from './storage.js';
import { isUsbDeviceEntry, usbDeviceCollector } from './usb.js';

/** A fake machine: sysfs, procfs and /etc files under packages/agent/test/fixtures/sysroot. */
const ROOT = fileURLToPath(new URL('../../../test/fixtures/sysroot', import.meta.url));

function fixtureCtx(): { ctx: CollectContext; notes: PartialCollection[] } {
  const notes: PartialCollection[] = [];
  return {
    notes,
    ctx: {
      startedAt: new Date(),
      softwareScanPaths: [],
      maxSoftwareFiles: 1,
      root: ROOT,
      notePartial: (className, reason) => notes.push({ className, reason }),
    },
  };
}

const emptyCtx = (): { ctx: CollectContext; notes: PartialCollection[] } => {
  const f = fixtureCtx();
  f.ctx.root = `${ROOT}/does-not-exist`;
  return f;
};

describe('firmware and systemIdentity (SMBIOS through /sys/class/dmi/id)', () => {
  it('reads vendor, version and release date, and the boot mode', async () => {
    const { ctx, notes } = fixtureCtx();
    expect(await firmwareCollector.collect(ctx)).toEqual([
      {
        vendor: 'American Megatrends Inc.',
        version: '1.21',
        releaseDate: '2023-03-15T00:00:00.000Z',
        mode: 'uefi',
      },
    ]);
    expect(notes).toEqual([]);
  });

  it('reads the identity, dropping SMBIOS placeholders and lower-casing the UUID', async () => {
    const { ctx } = fixtureCtx();
    const [identity] = await systemIdentityCollector.collect(ctx);
    expect(identity).toMatchObject({
      manufacturer: 'Dell Inc.',
      product: 'PowerEdge R650',
      version: null, // "Not Specified"
      family: 'PowerEdge',
      boardProduct: '0PYXKY',
    });
    // In sysfs product_serial and product_uuid are 0400: a root agent reports them (git keeps
    // no read modes, so the fixture's copies are readable by anyone).
    if (process.getuid?.() === 0) {
      expect(identity).toMatchObject({
        serialNumber: 'ABC1234',
        uuid: '4c4c4544-0042-4a10-8031-b2c04f4d3332',
      });
    }
  });

  it('reports nulls and records why when there is no SMBIOS', async () => {
    const { ctx, notes } = emptyCtx();
    const [fw] = await firmwareCollector.collect(ctx);
    expect(fw).toEqual({ vendor: null, version: null, releaseDate: null, mode: 'bios' });
    expect(notes).toEqual([
      {
        className: 'firmware',
        reason: expect.stringContaining('/sys/class/dmi/id does not exist'),
      },
    ]);
  });

  it('parses SMBIOS dates', () => {
    expect(parseBiosDate('12/01/2006')).toBe('2006-12-01T00:00:00.000Z');
    expect(parseBiosDate('01/02/99')).toBe('1999-01-02T00:00:00.000Z');
    expect(parseBiosDate('13/01/2006')).toBeNull();
    expect(parseBiosDate('garbage')).toBeNull();
  });
});

describe('pciDevice', () => {
  it('reads ids, class, driver and names from pci.ids', async () => {
    const { ctx, notes } = fixtureCtx();
    const devices = await pciDeviceCollector.collect(ctx);
    expect(devices).toEqual([
      {
        address: '0000:00:17.0',
        vendorId: '8086',
        deviceId: 'a352',
        subsystemVendorId: '1028',
        subsystemDeviceId: '0a6c',
        classId: '010601',
        className: 'SATA controller',
        vendorName: 'Intel Corporation',
        deviceName: 'Cannon Lake PCH SATA AHCI Controller',
        revision: '10',
        modalias: 'pci:v00008086d0000A352sv00001028sd00000A6Cbc01sc06i01',
        driver: 'ahci',
      },
      expect.objectContaining({
        address: '0000:00:1f.6',
        className: 'Ethernet controller',
        deviceName: 'Ethernet Connection (7) I219-LM',
        driver: 'e1000e',
      }),
      expect.objectContaining({
        address: '0000:02:00.0',
        vendorName: 'NVIDIA Corporation',
        deviceName: 'TU104GL [Tesla T4]',
        className: '3D controller',
        revision: 'a1',
        driver: null,
      }),
    ]);
    expect(notes).toEqual([]);
  });

  it('keeps only the vendors asked for from pci.ids', () => {
    const names = parsePciIds(
      '8086  Intel\n\t1234  Thing\n10de  NVIDIA\n\t5678  Card\nC 02  Net\n',
      new Set(['10de']),
    );
    expect(names.vendor('8086')).toBeNull();
    expect(names.device('10de', '5678')).toBe('Card');
    expect(names.className('020000')).toBe('Net');
  });

  it('records why the list is empty without a PCI bus', async () => {
    const { ctx, notes } = emptyCtx();
    expect(await pciDeviceCollector.collect(ctx)).toEqual([]);
    expect(notes.map((n) => n.className)).toEqual(['pciDevice']);
  });
});

describe('usbDevice', () => {
  it('lists devices (not interfaces) with the interface modalias and drivers', async () => {
    const { ctx } = fixtureCtx();
    const devices = await usbDeviceCollector.collect(ctx);
    expect(devices.map((d) => d['busPath'])).toEqual(['1-2', '1-3.1', 'usb1']);
    expect(devices[0]).toEqual({
      busPath: '1-2',
      vendorId: '046d',
      productId: 'c077',
      manufacturer: 'Logitech',
      product: 'USB Optical Mouse',
      serialNumber: null,
      deviceClass: '00',
      speedMbps: 1.5,
      modalias: 'usb:v046DpC077d7200dc00dsc00dp00ic03isc01ip02in00',
      driver: 'usbhid',
    });
    expect(devices[2]).toMatchObject({ busPath: 'usb1', driver: 'hub', deviceClass: '09' });
  });

  it('tells device entries from interfaces', () => {
    expect(['usb1', '1-2', '3-1.4.2'].every(isUsbDeviceEntry)).toBe(true);
    expect(['1-2:1.0', 'usb1:1.0', 'port1'].some(isUsbDeviceEntry)).toBe(false);
  });
});

describe('storageDevice', () => {
  it('lists physical disks with model, serial, size and transport, not loop/dm/zram', async () => {
    const { ctx } = fixtureCtx();
    const devices = await storageDeviceCollector.collect(ctx);
    expect(devices).toEqual([
      {
        name: 'nvme0n1',
        vendor: null,
        model: 'Samsung SSD 980 PRO 1TB',
        serialNumber: 'S5GXNF0R123456X',
        sizeMb: 488386,
        rotational: false,
        removable: false,
        transport: 'nvme',
      },
      {
        name: 'sda',
        vendor: 'ATA',
        model: 'ST2000DM008-2FR1',
        serialNumber: 'ZFL4ABCD',
        sizeMb: 1907729,
        rotational: true,
        removable: false,
        transport: 'sata',
      },
      expect.objectContaining({
        name: 'sdb',
        vendor: 'SanDisk',
        transport: 'usb',
        removable: true,
      }),
      // An empty optical drive is hardware even with no medium (size 0).
      expect.objectContaining({ name: 'sr0', sizeMb: 0, removable: true, transport: 'sata' }),
    ]);
  });

  it('classifies names and transports', () => {
    expect(['loop3', 'dm-0', 'zram0', 'ram1', 'md127', 'nbd0'].some(isPhysicalBlockName)).toBe(
      false,
    );
    expect(['sda', 'nvme0n1', 'vda', 'mmcblk0', 'xvda'].every(isPhysicalBlockName)).toBe(true);
    expect(transportOf('vda', '../devices/pci0000:00/0000:00:02.0/virtio1/block/vda')).toBe(
      'virtio',
    );
    expect(transportOf('sdc', '../devices/vmbus/hv_storvsc/host0/target0:0:0/block/sdc')).toBe(
      'hyperv',
    );
    expect(serialFromVpd80(Buffer.from([0, 0x80, 0, 3, 0x41, 0x42, 0x43]))).toBe('ABC');
    expect(serialFromVpd80(Buffer.from([0, 0x83, 0, 0]))).toBeNull();
  });
});

describe('localUser and localGroup', () => {
  it('reads /etc/passwd with the system/human split from login.defs', async () => {
    const { ctx } = fixtureCtx();
    const users = await localUserCollector.collect(ctx);
    expect(users.map((u) => [u['name'], u['system']])).toEqual([
      ['root', true],
      ['daemon', true],
      ['postgres', true],
      ['alice', false],
      ['svc-backup', true], // in the uid range but no login shell
      ['nobody', true],
    ]);
    expect(users[3]).toEqual({
      name: 'alice',
      uid: 1000,
      gid: 1000,
      primaryGroup: 'alice',
      fullName: 'Alice Example',
      home: '/home/alice',
      shell: '/bin/zsh',
      system: false,
    });
  });

  it('reads /etc/group with its members', async () => {
    const { ctx } = fixtureCtx();
    const groups = await localGroupCollector.collect(ctx);
    expect(groups.find((g) => g['name'] === 'ssl-cert')).toEqual({
      name: 'ssl-cert',
      gid: 111,
      members: 'postgres,alice',
      memberCount: 2,
      system: true,
    });
    expect(groups.find((g) => g['name'] === 'alice')?.['system']).toBe(false);
  });

  it('fails (the site keeps what it had) when /etc/passwd cannot be read', async () => {
    await expect(localUserCollector.collect(emptyCtx().ctx)).rejects.toThrow('/etc/passwd');
  });

  it('uses shadow-utils defaults without login.defs', () => {
    const defs = parseLoginDefs('');
    expect(defs.uid).toEqual({ min: 1000, max: 60000 });
    const [u] = parsePasswd('bob:x:1500:1500::/home/bob:/bin/bash\n');
    expect(u !== undefined && isSystemUser(u, defs.uid)).toBe(false);
  });
});

describe('listeningPort', () => {
  it('decodes /proc/net addresses', () => {
    expect(decodeProcNetAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcNetAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcNetAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcNetAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeProcNetAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });

  it('keeps TCP LISTEN and unconnected UDP sockets only', () => {
    const udp = parseProcNet(
      `header\n 1: 3500007F:0035 00000000:0000 07 0:0 0:0 0 101 0 20021 2\n 2: 0100007F:9C40 0100007F:0035 01 0:0 0:0 0 1000 0 20023 2\n`,
      'udp',
      'ipv4',
    );
    expect(udp).toEqual([
      { protocol: 'udp', family: 'ipv4', address: '127.0.0.53', port: 53, uid: 101, inode: 20021 },
    ]);
  });

  it('joins sockets to their processes through /proc/<pid>/fd', async () => {
    const { ctx, notes } = fixtureCtx();
    const ports = await listeningPortCollector.collect(ctx);
    expect(ports).toContainEqual({
      protocol: 'tcp',
      family: 'ipv4',
      address: '0.0.0.0',
      port: 22,
      pid: 812,
      process: 'sshd',
      command: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups',
      user: 'root',
    });
    expect(ports).toContainEqual(
      expect.objectContaining({
        protocol: 'tcp',
        family: 'ipv6',
        address: '::1',
        port: 5432,
        pid: 913,
        command: '/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main',
        user: 'postgres',
      }),
    );
    expect(ports).toContainEqual(
      expect.objectContaining({ protocol: 'udp', address: '0.0.0.0', port: 68, pid: null }),
    );
    // 4 tcp + 4 tcp6 listeners, 2 unconnected udp; the established connection is not listed.
    expect(ports).toHaveLength(9);
    expect(ports.some((p) => p['port'] === 5432 && p['family'] === 'ipv4')).toBe(true);
    expect(notes).toEqual([
      { className: 'listeningPort', reason: expect.stringContaining('could not be read') },
    ]);
  });
});

describe('collectInventory with a root', () => {
  it('collects the new classes from the fixture tree and gathers the partial reasons', async () => {
    const result = await collectInventory({
      root: ROOT,
      only: ['firmware', 'pciDevice', 'usbDevice', 'storageDevice', 'localUser', 'listeningPort'],
    });
    expect(result.failures).toEqual([]);
    expect(Object.keys(result.classes).sort()).toEqual([
      'firmware',
      'listeningPort',
      'localUser',
      'pciDevice',
      'storageDevice',
      'usbDevice',
    ]);
    expect(result.partial.map((p) => p.className)).toEqual(['listeningPort']);
  });
});
