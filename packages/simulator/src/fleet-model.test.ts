import { describe, expect, it } from 'vitest';
import type { InstalledPackage } from '@steward/protocol';
import { packageSetHash } from '@steward/protocol/node';
import { FleetModel, trimPackages } from './fleet-model.js';
import type { InventoryTemplate } from './template.js';

function template(packageCount = 600): InventoryTemplate {
  const packages: InstalledPackage[] = Array.from({ length: packageCount }, (_, i) => ({
    name: `pkg${String(i).padStart(4, '0')}`,
    version: `1.${i % 7}-${i % 3}`,
    arch: i % 5 === 0 ? 'all' : 'amd64',
    manager: 'dpkg',
  }));
  return {
    classes: {
      os: [
        {
          family: 'debian',
          name: 'Debian GNU/Linux',
          version: '12',
          hostname: 'template',
          fqdn: 'template',
        },
      ],
      memory: [{ totalMb: 4096, availableMb: 2048, swapTotalMb: 0 }],
      disk: [
        { device: '/dev/vda', mountPoint: '/', fsType: 'ext4', sizeMb: 100000, freeMb: 50000 },
      ],
      networkAdapter: [
        { name: 'lo', mac: '00:00:00:00:00:00', state: 'unknown', mtu: 65536 },
        { name: 'eth0', mac: '02:fc:00:00:00:01', state: 'up', mtu: 1500 },
      ],
      ipAddress: [
        { adapter: 'lo', address: '127.0.0.1', family: 'IPv4', prefixLength: 8 },
        { adapter: 'eth0', address: '192.0.2.2', family: 'IPv4', prefixLength: 24 },
        { adapter: 'eth0', address: 'fd00::2', family: 'IPv6', prefixLength: 64 },
      ],
    },
    packages,
  };
}

describe('FleetModel', () => {
  it('gives the same fleet for the same seed and a different one for another seed', () => {
    const a = new FleetModel(template(), { seed: 42 });
    const b = new FleetModel(template(), { seed: 42 });
    const c = new FleetModel(template(), { seed: 43 });
    for (const i of [0, 1, 17, 999])
      expect(JSON.stringify(a.device(i))).toBe(JSON.stringify(b.device(i)));
    expect(a.images.map((x) => x.hash)).toEqual(b.images.map((x) => x.hash));
    expect(a.images.map((x) => x.hash)).not.toEqual(c.images.map((x) => x.hash));
    expect(JSON.stringify(a.device(5).classes)).not.toBe(JSON.stringify(c.device(5).classes));
  });

  it('bounds the distinct package sets by images plus drifted devices', () => {
    const model = new FleetModel(template(), { seed: 7, images: 20, driftRate: 0.1 });
    const n = 2000;
    const sets = new Set<string>();
    let drifted = 0;
    for (let i = 0; i < n; i++) {
      const d = model.device(i);
      sets.add(d.packageHash);
      if (d.drifted) drifted++;
    }
    expect(new Set(model.images.map((x) => x.hash)).size).toBe(20);
    expect(sets.size).toBe(20 + drifted);
    // 10 % drift: far fewer sets than devices, but more than the images alone.
    expect(drifted).toBeGreaterThan(n * 0.07);
    expect(drifted).toBeLessThan(n * 0.13);
    expect(sets.size).toBeLessThan(n / 4);
  });

  it('has no drift when the rate is zero, so the fleet has exactly the image sets', () => {
    const model = new FleetModel(template(), { seed: 1, images: 5, driftRate: 0 });
    const sets = new Set(Array.from({ length: 100 }, (_, i) => model.device(i).packageHash));
    expect(sets.size).toBe(5);
  });

  it('hashes each set the way agent and server do', () => {
    const model = new FleetModel(template(), { seed: 3, driftRate: 0.5 });
    for (let i = 0; i < 30; i++) {
      const d = model.device(i);
      expect(d.packageHash).toBe(packageSetHash(d.packages));
    }
  });

  it('varies hostname, MACs, addresses, memory and disk per device and keeps loopback', () => {
    const model = new FleetModel(template(), { seed: 9 });
    const a = model.device(1);
    const b = model.device(2);
    expect(a.hostname).toBe('sim-00001');
    expect(a.classes.os?.[0]?.hostname).toBe('sim-00001');
    expect(a.classes.networkAdapter?.[1]?.mac).not.toBe(b.classes.networkAdapter?.[1]?.mac);
    expect(a.classes.networkAdapter?.[0]?.mac).toBe('00:00:00:00:00:00');
    expect(a.classes.ipAddress?.[0]?.address).toBe('127.0.0.1');
    expect(a.classes.ipAddress?.[1]?.address).not.toBe(b.classes.ipAddress?.[1]?.address);
    expect(a.classes.ipAddress?.[2]?.address).toMatch(/^fd00::53:/);
    const free = new Set(
      Array.from({ length: 20 }, (_, i) => model.device(i).classes.disk?.[0]?.freeMb),
    );
    expect(free.size).toBeGreaterThan(10);
    const mem = new Set(
      Array.from({ length: 50 }, (_, i) => model.device(i).classes.memory?.[0]?.totalMb),
    );
    expect(mem.size).toBeGreaterThan(2);
  });

  it('keeps package counts close to the template and trims deterministically', () => {
    const model = new FleetModel(template(873), { seed: 5, packagesPerDevice: 600 });
    for (let i = 0; i < 40; i++) {
      const count = model.device(i).packages.length;
      expect(count).toBeGreaterThanOrEqual(590);
      expect(count).toBeLessThanOrEqual(610);
    }
    expect(trimPackages(template(873).packages, 600, 5)).toEqual(
      trimPackages(template(873).packages, 600, 5),
    );
    expect(trimPackages(template(873).packages, 600, 5)).toHaveLength(600);
  });
});
