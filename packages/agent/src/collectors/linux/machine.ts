import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import { pathExists, readAttr, readLink, readText, runIfPresent } from '../system.js';
import type { ClassCollector } from '../types.js';
import { decideMachineType, type MachineSignals } from './machine-type.js';

const DMI = '/sys/class/dmi/id';

const SERVER_SERVICES = [
  'nginx',
  'apache2',
  'httpd',
  'postgresql',
  'mariadb',
  'mysql',
  'redis-server',
  'redis',
  'mongod',
  'rabbitmq-server',
  'mosquitto',
  'named',
  'bind9',
  'slapd',
  'smbd',
  'nfs-server',
  'docker',
  'containerd',
  'kubelet',
  'haproxy',
  'squid',
  'postfix',
  'dovecot',
  'elasticsearch',
];
const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

async function detectVirt(flag: '--vm' | '--container'): Promise<string | null | undefined> {
  try {
    const res = await runIfPresent('systemd-detect-virt', [flag], { timeoutMs: 5_000 });
    if (res === undefined) return undefined;
    const name = res.stdout.trim();
    return res.exitCode === 0 && name !== '' && name !== 'none' ? name : null;
  } catch {
    return undefined;
  }
}

/** Container runtime without systemd-detect-virt: marker files, then PID 1's cgroup. */
export function containerFromCgroup(cgroup: string): string | null {
  if (/kubepods/.test(cgroup)) return 'kubernetes';
  if (/docker/.test(cgroup)) return 'docker';
  if (/libpod|podman/.test(cgroup)) return 'podman';
  if (/\/lxc/.test(cgroup)) return 'lxc';
  if (/containerd/.test(cgroup)) return 'containerd';
  return null;
}

async function fallbackContainer(): Promise<string | null> {
  if (await pathExists('/.dockerenv')) return 'docker';
  if (await pathExists('/run/.containerenv')) return 'podman';
  return containerFromCgroup((await readText('/proc/1/cgroup')) ?? '');
}

/** Hypervisor without systemd-detect-virt: the CPU's `hypervisor` flag, DMI vendor, /sys/hypervisor. */
export function vmFromVendor(vendor: string, product: string): string {
  const v = `${vendor} ${product}`.toLowerCase();
  if (v.includes('qemu') || v.includes('kvm')) return 'kvm';
  if (v.includes('vmware')) return 'vmware';
  if (v.includes('innotek') || v.includes('virtualbox')) return 'oracle';
  if (v.includes('microsoft')) return 'microsoft';
  if (v.includes('xen')) return 'xen';
  if (v.includes('amazon')) return 'amazon';
  if (v.includes('google')) return 'google';
  return 'vm';
}

async function fallbackVm(vendor: string, product: string): Promise<string | null> {
  const xen = await readAttr('/sys/hypervisor/type');
  if (xen !== undefined) return xen;
  const cpuinfo = (await readText('/proc/cpuinfo')) ?? '';
  if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) return vmFromVendor(vendor, product);
  return null;
}

async function systemBattery(): Promise<boolean> {
  const base = '/sys/class/power_supply';
  for (const name of await readdir(base).catch(() => [])) {
    const type = await readAttr(join(base, name, 'type'));
    // scope=Device marks the battery of a mouse or headset, not of the machine.
    const scope = await readAttr(join(base, name, 'scope'));
    if (type === 'Battery' && scope !== 'Device') return true;
  }
  return false;
}

async function graphicalSetup(): Promise<boolean> {
  if (await pathExists('/etc/X11/default-display-manager')) return true;
  if (await pathExists('/etc/systemd/system/display-manager.service')) return true;
  const target = await readLink('/etc/systemd/system/default.target');
  return target !== undefined && target.includes('graphical');
}

async function installedServerServices(): Promise<string[]> {
  const found: string[] = [];
  for (const name of SERVER_SERVICES) {
    const candidates = [`/etc/init.d/${name}`, ...UNIT_DIRS.map((d) => `${d}/${name}.service`)];
    for (const path of candidates) {
      if (await pathExists(path)) {
        found.push(name);
        break;
      }
    }
  }
  return found;
}

async function bootTime(): Promise<string | null> {
  const m = /^btime\s+(\d+)/m.exec((await readText('/proc/stat')) ?? '');
  return m?.[1] === undefined ? null : new Date(Number(m[1]) * 1000).toISOString();
}

export async function collectMachineSignals(): Promise<{
  signals: MachineSignals;
  vendor: string | null;
  model: string | null;
  serial: string | null;
}> {
  const chassis = Number(await readAttr(join(DMI, 'chassis_type')));
  const vendor = (await readAttr(join(DMI, 'sys_vendor'))) ?? null;
  const model = (await readAttr(join(DMI, 'product_name'))) ?? null;
  // product_serial is root-only; unreadable is normal for a non-root agent.
  const serial = (await readAttr(join(DMI, 'product_serial'))) ?? null;
  const detectedVm = await detectVirt('--vm');
  const detectedContainer = await detectVirt('--container');
  const signals: MachineSignals = {
    vm: detectedVm === undefined ? await fallbackVm(vendor ?? '', model ?? '') : detectedVm,
    container: detectedContainer === undefined ? await fallbackContainer() : detectedContainer,
    chassisType: Number.isInteger(chassis) && chassis > 0 ? chassis : null,
    hasBattery: await systemBattery(),
    graphical: await graphicalSetup(),
    serverServices: await installedServerServices(),
  };
  return { signals, vendor, model, serial };
}

export const machineCollector: ClassCollector = {
  className: 'machine',
  async collect(): Promise<InventoryInstance[]> {
    const { signals, vendor, model, serial } = await collectMachineSignals();
    const decision = decideMachineType(signals);
    return [
      {
        type: decision.type,
        typeReason: decision.reason,
        chassisType: signals.chassisType,
        vendor,
        model,
        serialNumber: serial,
        virtualization: signals.container ?? signals.vm ?? 'none',
        hasBattery: signals.hasBattery,
        bootTime: await bootTime(),
      },
    ];
  },
};
