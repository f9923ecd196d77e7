import type { InstalledPackage, InventoryInstance } from '@steward/protocol';
import { packageSetHash, sortPackages } from '@steward/protocol/node';
import { Rng } from './rng.js';
import type { InventoryTemplate } from './template.js';

export interface FleetModelOptions {
  /** Same seed, same fleet. */
  seed: number;
  /** Number of image variants the fleet is built from (DESIGN.md section 4: fleets come from images). */
  images?: number;
  /** Share of devices with their own drift (a few packages added, removed or upgraded by hand). */
  driftRate?: number;
  /** Trim the template's package list to about this many packages (deterministic sample). */
  packagesPerDevice?: number;
  /** Hostname prefix; devices are `<prefix>-<index>`. */
  hostnamePrefix?: string;
}

export interface ImageVariant {
  index: number;
  /** Sorted in the canonical order. */
  packages: InstalledPackage[];
  hash: string;
}

export interface DeviceProfile {
  index: number;
  hostname: string;
  image: number;
  drifted: boolean;
  /** Sorted in the canonical order; shared with the image when the device has no drift. */
  packages: InstalledPackage[];
  packageHash: string;
  classes: Record<string, InventoryInstance[]>;
}

const IMAGE_STREAM = 1;
const DEVICE_STREAM = 2;
const MEMORY_SIZES_MB = [2048, 4096, 8192, 16384, 32768, 65536];
const EXTRA_PACKAGES = [
  'nginx',
  'postgresql-15',
  'redis-server',
  'docker-ce',
  'openjdk-17-jre',
  'python3-django',
  'nodejs',
  'haproxy',
  'bind9',
  'samba',
  'nfs-kernel-server',
  'prometheus-node-exporter',
  'zabbix-agent',
  'apache2',
  'mariadb-server',
  'tomcat10',
  'rabbitmq-server',
  'elasticsearch',
  'grafana',
  'vault',
];

function upgraded(p: InstalledPackage, tag: string): InstalledPackage {
  return { ...p, version: `${p.version}+${tag}` };
}

/**
 * Deterministic virtual fleet derived from one real machine's inventory. Package sets are many
 * but bounded: `images` variants of the template, plus one set of its own for each drifted
 * device, so the number of distinct sets is at most images + drifted devices, as in a fleet
 * built from images where a few machines were changed by hand.
 */
export class FleetModel {
  readonly images: readonly ImageVariant[];
  readonly driftRate: number;
  private readonly seed: number;
  private readonly prefix: string;

  constructor(
    private readonly template: InventoryTemplate,
    options: FleetModelOptions,
  ) {
    this.seed = options.seed;
    this.driftRate = options.driftRate ?? 0.1;
    this.prefix = options.hostnamePrefix ?? 'sim';
    const base = trimPackages(template.packages, options.packagesPerDevice, this.seed);
    const count = Math.max(1, options.images ?? 20);
    this.images = Array.from({ length: count }, (_, i) => buildImage(base, i, this.seed));
  }

  /** The device's image: spread evenly, so every image is used once the fleet is large enough. */
  imageOf(index: number): ImageVariant {
    const image = this.images[index % this.images.length];
    if (!image) throw new Error('no images');
    return image;
  }

  hostname(index: number): string {
    return `${this.prefix}-${String(index).padStart(5, '0')}`;
  }

  device(index: number): DeviceProfile {
    const rng = Rng.derive(this.seed, DEVICE_STREAM, index);
    const image = this.imageOf(index);
    const hostname = this.hostname(index);
    const drifted = rng.chance(this.driftRate);
    let packages = image.packages;
    let packageHash = image.hash;
    if (drifted) {
      packages = sortPackages(driftPackages(image.packages, rng, index));
      packageHash = packageSetHash(packages);
    }
    return {
      index,
      hostname,
      image: image.index,
      drifted,
      packages,
      packageHash,
      classes: deviceClasses(this.template.classes, rng, index, hostname),
    };
  }
}

/** A deterministic sample of about `count` packages, keeping the template's order. */
export function trimPackages(
  packages: readonly InstalledPackage[],
  count: number | undefined,
  seed: number,
): InstalledPackage[] {
  if (count === undefined || count >= packages.length) return [...packages];
  const keep = Rng.derive(seed, 0).sampleIndexes(packages.length, count);
  return keep.map((i) => packages[i]).filter((p): p is InstalledPackage => p !== undefined);
}

function buildImage(base: readonly InstalledPackage[], index: number, seed: number): ImageVariant {
  // Image 0 is the template itself; the others differ by a role's extra packages, a few
  // packages removed and a patch level (some packages one version ahead).
  let packages = [...base];
  if (index > 0) {
    const rng = Rng.derive(seed, IMAGE_STREAM, index);
    const removed = new Set(rng.sampleIndexes(packages.length, rng.int(0, 8)));
    const upgradedIdx = new Set(rng.sampleIndexes(packages.length, rng.int(0, 25)));
    packages = packages
      .filter((_, i) => !removed.has(i))
      .map((p, i) => (upgradedIdx.has(i) ? upgraded(p, `img${index}`) : p));
    const role = rng.int(1, 4);
    for (let k = 0; k < role; k++) {
      const name = rng.pick(EXTRA_PACKAGES);
      if (!packages.some((p) => p.name === name))
        packages.push({
          name,
          version: `${rng.int(1, 9)}.${rng.int(0, 30)}-${rng.int(1, 5)}`,
          arch: 'amd64',
          manager: 'dpkg',
        });
    }
    packages.push({
      name: `site-image-release`,
      version: `2024.${index}`,
      arch: 'all',
      manager: 'dpkg',
    });
  }
  const sorted = sortPackages(packages);
  return { index, packages: sorted, hash: packageSetHash(sorted) };
}

function driftPackages(
  packages: readonly InstalledPackage[],
  rng: Rng,
  index: number,
): InstalledPackage[] {
  // The device-specific package keeps every drifted set distinct, so the bound is exact.
  const out = [...packages];
  const ops = rng.int(1, 3);
  for (let k = 0; k < ops; k++) {
    const at = rng.int(0, out.length - 1);
    const p = out[at];
    if (!p) continue;
    if (rng.chance(0.5)) out.splice(at, 1);
    else out[at] = upgraded(p, `local${k}`);
  }
  out.push({
    name: `local-tool-${index}`,
    version: `1.${rng.int(0, 9)}`,
    arch: 'amd64',
    manager: 'dpkg',
  });
  return out;
}

function mac(index: number, ordinal: number): string {
  const bytes = [
    0x02,
    0x53,
    (index >>> 16) & 0xff,
    (index >>> 8) & 0xff,
    index & 0xff,
    ordinal & 0xff,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function ipv4(index: number, ordinal: number): string {
  return `10.${(ordinal * 16 + (index >>> 16)) & 0xff}.${(index >>> 8) & 0xff}.${index & 0xff}`;
}

function deviceClasses(
  classes: Record<string, InventoryInstance[]>,
  rng: Rng,
  index: number,
  hostname: string,
): Record<string, InventoryInstance[]> {
  const out: Record<string, InventoryInstance[]> = {};
  // Ordinals first: ipAddress instances name their adapter, whichever class comes first.
  const adapterOrdinal = new Map<string, number>();
  for (const a of classes.networkAdapter ?? []) {
    if (a.mac !== '00:00:00:00:00:00' && typeof a.name === 'string')
      adapterOrdinal.set(a.name, adapterOrdinal.size + 1);
  }
  for (const [name, list] of Object.entries(classes)) {
    out[name] = list.map((instance) => {
      const i = { ...instance };
      switch (name) {
        case 'os':
          i.hostname = hostname;
          i.fqdn = `${hostname}.fleet.example`;
          break;
        case 'machine':
          i.serialNumber = `SIM${rng.hex(6).toUpperCase()}`;
          break;
        case 'memory': {
          const total = rng.pick(MEMORY_SIZES_MB);
          i.totalMb = total;
          i.availableMb = Math.round(total * (0.2 + rng.next() * 0.7));
          break;
        }
        case 'disk': {
          const size = typeof i.sizeMb === 'number' ? i.sizeMb : 102400;
          i.freeMb = Math.round(size * (0.05 + rng.next() * 0.9));
          break;
        }
        case 'networkAdapter':
          if (typeof i.name === 'string') {
            const ordinal = adapterOrdinal.get(i.name);
            if (ordinal !== undefined) i.mac = mac(index, ordinal);
          }
          break;
        case 'ipAddress': {
          const ordinal = typeof i.adapter === 'string' ? adapterOrdinal.get(i.adapter) : undefined;
          if (ordinal !== undefined && i.family === 'IPv4') i.address = ipv4(index, ordinal);
          else if (ordinal !== undefined && typeof i.address === 'string') {
            i.address = i.address.startsWith('fe80')
              ? `fe80::53:${index.toString(16)}:${ordinal}`
              : `fd00::53:${index.toString(16)}:${ordinal}`;
          }
          break;
        }
        default:
          break;
      }
      return i;
    });
  }
  return out;
}
