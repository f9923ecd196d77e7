import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, totalmem, arch as osArch, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  isRecord,
  type InstalledPackage,
  type InventoryInstance,
  type PropertyValue,
} from '@steward/protocol';

/**
 * What one real machine reported: the classes and the installed packages. Every virtual device
 * is derived from it, so payload sizes and shapes are what a real agent sends.
 */
export interface InventoryTemplate {
  classes: Record<string, InventoryInstance[]>;
  packages: InstalledPackage[];
}

function isPropertyValue(value: unknown): value is PropertyValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function parseInstance(value: unknown, where: string): InventoryInstance {
  if (!isRecord(value)) throw new Error(`${where} is not an object`);
  const out: InventoryInstance = {};
  for (const [k, v] of Object.entries(value)) {
    if (!isPropertyValue(v))
      throw new Error(`${where}.${k} is not a string, number, boolean or null`);
    out[k] = v;
  }
  return out;
}

function parsePackage(value: unknown, where: string): InstalledPackage {
  if (!isRecord(value)) throw new Error(`${where} is not an object`);
  const { name, version, arch, manager } = value;
  if (typeof name !== 'string' || name === '') throw new Error(`${where}.name is missing`);
  if (typeof version !== 'string' || typeof arch !== 'string')
    throw new Error(`${where} has no version/arch`);
  if (manager !== 'dpkg' && manager !== 'rpm')
    throw new Error(`${where}.manager is not dpkg or rpm`);
  return { name, version, arch, manager };
}

/**
 * Parses the output of `steward-agent inventory --json` ({ classes, packages, ... }). `packages`
 * may also be a package report ({ kind: 'full', items }).
 */
export function parseTemplate(value: unknown): InventoryTemplate {
  if (!isRecord(value) || !isRecord(value.classes))
    throw new Error('template has no "classes" object');
  const classes: Record<string, InventoryInstance[]> = {};
  for (const [name, list] of Object.entries(value.classes)) {
    if (name === 'package') continue;
    if (!Array.isArray(list)) throw new Error(`template class "${name}" is not an array`);
    classes[name] = list.map((item, i) => parseInstance(item, `classes.${name}[${i}]`));
  }
  const raw = Array.isArray(value.packages)
    ? value.packages
    : isRecord(value.packages) && Array.isArray(value.packages.items)
      ? value.packages.items
      : [];
  const packages = raw.map((p: unknown, i) => parsePackage(p, `packages[${i}]`));
  if (packages.length === 0) throw new Error('template has no packages');
  return { classes, packages };
}

export function loadTemplateFile(path: string): InventoryTemplate {
  return parseTemplate(JSON.parse(readFileSync(path, 'utf8')));
}

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
    }
    return out;
  } catch {
    return {};
  }
}

function dpkgPackages(): InstalledPackage[] {
  const text = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${Package}\t${Version}\t${Architecture}\n'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return text
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f): f is [string, string, string] => f.length === 3 && f[0] !== '')
    .map(([name, version, arch]) => ({ name, version, arch, manager: 'dpkg' }));
}

function memInfoMb(key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
    return m?.[1] ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/**
 * A template collected here without the agent (from /etc/os-release, /proc and dpkg-query), for
 * when the agent package is not built. Fewer classes than the agent collects, same shapes.
 */
export function collectLocalTemplate(): InventoryTemplate {
  const rel = osRelease();
  const name = hostname();
  const adapters: InventoryInstance[] = [];
  const addresses: InventoryInstance[] = [];
  for (const [ifName, list] of Object.entries(networkInterfaces())) {
    const first = list?.[0];
    if (!first) continue;
    adapters.push({
      name: ifName,
      mac: first.mac,
      state: 'up',
      mtu: 1500,
      speedMbps: null,
      virtual: first.internal,
    });
    for (const a of list) {
      addresses.push({
        adapter: ifName,
        address: a.address,
        family: a.family,
        prefixLength: Number(a.cidr?.split('/')[1] ?? 0),
      });
    }
  }
  const cpu = cpus();
  return {
    classes: {
      os: [
        {
          family: rel.ID ?? 'linux',
          name: rel.NAME ?? 'Linux',
          version: rel.VERSION_ID ?? '',
          codename: rel.VERSION_CODENAME ?? null,
          kernel: release(),
          arch: osArch(),
          hostname: name,
          fqdn: name,
        },
      ],
      machine: [
        {
          type: 'server',
          typeReason: 'simulator template',
          chassisType: null,
          vendor: null,
          model: null,
          serialNumber: null,
          virtualization: null,
          hasBattery: false,
          bootTime: null,
        },
      ],
      cpu: [
        {
          model: cpu[0]?.model ?? 'unknown',
          vendor: null,
          sockets: 1,
          cores: cpu.length,
          threads: cpu.length,
          mhz: cpu[0]?.speed ?? 0,
        },
      ],
      memory: [
        {
          totalMb: Math.round(totalmem() / 1048576),
          availableMb: memInfoMb('MemAvailable'),
          swapTotalMb: memInfoMb('SwapTotal'),
        },
      ],
      disk: [
        { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', sizeMb: 102400, freeMb: 51200 },
      ],
      networkAdapter: adapters,
      ipAddress: addresses,
      service: [],
      user: [{ lastLoggedOnUser: null, lastLogonTime: null, loggedOnUsers: '', loggedOnCount: 0 }],
      session: [],
      softwareFile: [],
      agent: [{ version: '0.1.0', startedAt: new Date().toISOString() }],
    },
    packages: dpkgPackages(),
  };
}

/**
 * The template to derive a fleet from: a file written by `steward-agent inventory --json` when
 * given; otherwise the agent of this workspace is asked; otherwise this machine is read directly.
 */
export function resolveTemplate(path?: string): { template: InventoryTemplate; source: string } {
  if (path !== undefined) return { template: loadTemplateFile(path), source: path };
  const agentBin = fileURLToPath(new URL('../../agent/bin/steward-agent.js', import.meta.url));
  if (existsSync(agentBin)) {
    try {
      const out = execFileSync(process.execPath, [agentBin, 'inventory', '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return { template: parseTemplate(JSON.parse(out)), source: 'steward-agent inventory --json' };
    } catch {
      // The agent is not built or failed: fall through to the local collector.
    }
  }
  return {
    template: collectLocalTemplate(),
    source: 'local collector (/etc/os-release, /proc, dpkg-query)',
  };
}
