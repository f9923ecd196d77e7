import { readdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import { pathExists, readAttr, readLink } from '../system.js';
import type { ClassCollector } from '../types.js';

const SYS_NET = '/sys/class/net';

/**
 * An adapter is virtual when its sysfs device is not on a PCI bus (virtio on PCI counts as a real
 * adapter of the machine), or it is a loopback, veth, docker, bridge or similar software device.
 */
export function isVirtualAdapter(
  name: string,
  sysfsTarget: string | undefined,
  isBridge: boolean,
): boolean {
  if (isBridge) return true;
  if (
    name === 'lo' ||
    /^(veth|docker|br-|virbr|vnet|tun|tap|cni|flannel|cali|kube|wg|dummy|ifb)/.test(name)
  )
    return true;
  if (sysfsTarget === undefined) return true;
  return !sysfsTarget.includes('/devices/pci');
}

function numberOrNull(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export const networkAdapterCollector: ClassCollector = {
  className: 'networkAdapter',
  async collect(): Promise<InventoryInstance[]> {
    const names = (await readdir(SYS_NET).catch(() => [])).sort();
    const out: InventoryInstance[] = [];
    for (const name of names) {
      const dir = join(SYS_NET, name);
      const speed = numberOrNull(await readAttr(join(dir, 'speed')));
      out.push({
        name,
        mac: (await readAttr(join(dir, 'address'))) ?? null,
        state: (await readAttr(join(dir, 'operstate'))) ?? 'unknown',
        mtu: numberOrNull(await readAttr(join(dir, 'mtu'))),
        // The kernel reports -1 (or refuses to read) when the link is down or has no speed.
        speedMbps: speed !== null && speed > 0 ? speed : null,
        virtual: isVirtualAdapter(name, await readLink(dir), await pathExists(join(dir, 'bridge'))),
      });
    }
    return out;
  },
};

export const ipAddressCollector: ClassCollector = {
  className: 'ipAddress',
  async collect(): Promise<InventoryInstance[]> {
    const out: InventoryInstance[] = [];
    for (const [adapter, addresses] of Object.entries(networkInterfaces())) {
      for (const a of addresses ?? []) {
        const prefix = a.cidr === null ? null : Number(a.cidr.split('/')[1]);
        out.push({
          adapter,
          address: a.address,
          family: a.family,
          prefixLength: prefix !== null && Number.isFinite(prefix) ? prefix : null,
        });
      }
    }
    return out;
  },
};
