import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInventory, type CollectedInventory } from '../../inventory/collect.js';

const NEW_CLASSES = [
  'firmware',
  'systemIdentity',
  'pciDevice',
  'usbDevice',
  'storageDevice',
  'localUser',
  'localGroup',
  'listeningPort',
];

/** The real collectors on this machine, checked against what the test itself sets up and reads. */
describe('/sys, /proc and /etc inventory classes on this machine', () => {
  const tcp = createServer();
  const udp = createSocket('udp4');
  let tcpPort = 0;
  let udpPort = 0;
  let result: CollectedInventory;

  beforeAll(async () => {
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const addr = tcp.address();
    if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
    tcpPort = addr.port;
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    udpPort = udp.address().port;
    result = await collectInventory({ only: NEW_CLASSES });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => udp.close(resolve));
  });

  it('collects every new class without failing', () => {
    expect(result.failures).toEqual([]);
    expect(Object.keys(result.classes).sort()).toEqual([...NEW_CLASSES].sort());
    expect(result.classes['firmware']).toHaveLength(1);
    expect(result.classes['systemIdentity']).toHaveLength(1);
  });

  it("finds the test's own TCP listener and UDP socket with this process's pid", () => {
    const ports = result.classes['listeningPort'] ?? [];
    const comm = readFileSync('/proc/self/comm', 'utf8').trim();
    expect(ports).toContainEqual(
      expect.objectContaining({
        protocol: 'tcp',
        family: 'ipv4',
        address: '127.0.0.1',
        port: tcpPort,
        pid: process.pid,
        process: comm,
        user: userInfo().username,
      }),
    );
    expect(ports).toContainEqual(
      expect.objectContaining({ protocol: 'udp', port: udpPort, pid: process.pid }),
    );
  });

  it('lists the local accounts /etc/passwd holds, root as a system account', () => {
    const users = result.classes['localUser'] ?? [];
    expect(users).toContainEqual(expect.objectContaining({ name: 'root', uid: 0, system: true }));
    expect(users.map((u) => u['uid'])).toContain(process.getuid?.());
    const passwdLines = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .filter((l) => /^[^+:#-][^:]*:[^:]*:\d+:\d+:/.test(l));
    expect(users).toHaveLength(passwdLines.length);
    const groups = result.classes['localGroup'] ?? [];
    expect(groups).toContainEqual(expect.objectContaining({ name: 'root', gid: 0 }));
  });

  it('lists the PCI devices in /sys and the physical block devices only', () => {
    const pciDir = '/sys/bus/pci/devices';
    const pci = result.classes['pciDevice'] ?? [];
    expect(pci.map((d) => d['address'])).toEqual(
      existsSync(pciDir) ? readdirSync(pciDir).sort() : [],
    );
    for (const d of pci) expect(d['vendorId']).toMatch(/^[0-9a-f]{4}$/);
    const blocks = readdirSync('/sys/block');
    for (const d of result.classes['storageDevice'] ?? []) {
      expect(blocks).toContain(d['name']);
      expect(String(d['name'])).not.toMatch(/^(loop|ram|zram|dm-)/);
    }
  });

  it('records a reason for every class collected in part', () => {
    for (const p of result.partial) {
      expect(NEW_CLASSES).toContain(p.className);
      expect(p.reason).not.toBe('');
    }
    // Without SMBIOS (this VM has no /sys/class/dmi/id) the firmware class says why.
    if (!existsSync('/sys/class/dmi/id'))
      expect(result.partial.map((p) => p.className)).toContain('firmware');
  });
});
