import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A whole disk as the kernel lists it under /sys/block (ADR 0077). */
export interface DiskInfo {
  /** Kernel name: sda, vda, nvme0n1, loop3. */
  name: string;
  /** Size in bytes (sysfs counts 512-byte sectors whatever the logical block size). */
  sizeBytes: number;
  /** The kernel's removable flag (USB sticks, card readers, optical drives). */
  removable: boolean;
  readOnly: boolean;
  /** Reached over USB, FireWire or MMC: removable in practice even when the flag is 0. */
  hotplugBus: boolean;
  /** Something on it (the disk or one of its partitions) is mounted: the boot medium. */
  inUse: boolean;
  /** Kernel names of its partitions. */
  partitions: string[];
}

/**
 * Names that are never an install target whatever their flags: RAM disks, compressed swap,
 * optical drives, device-mapper and md (their members are chosen instead), network block
 * devices. Loop devices are only ever a target when named explicitly (the tests' disks).
 */
const NEVER_AUTO = /^(loop|ram|zram|sr|fd|dm-|md|nbd|mtdblock)/;

/** The disk rule of a partition-disk step: the first fixed disk, or one named by its path. */
export type DiskRule = 'first-fixed' | string;

export type DiskChoice = { ok: true; disk: DiskInfo } | { ok: false; reason: string };

function refusal(disk: DiskInfo): string | undefined {
  if (disk.removable || disk.hotplugBus) return `${disk.name} is a removable disk`;
  if (disk.readOnly) return `${disk.name} is read-only`;
  if (disk.inUse) return `${disk.name} holds a mounted file system (the boot medium?)`;
  if (disk.sizeBytes === 0) return `${disk.name} has no medium`;
  return undefined;
}

/**
 * Chooses the target disk. `first-fixed` takes the only fixed disk and refuses when there is
 * none or more than one: guessing between two disks is how a data disk gets wiped, so the
 * sequence must name one (`/dev/sdb`). A named disk is still refused when it is removable,
 * read-only or in use, so a rule can never point at the boot medium.
 */
export function chooseDisk(rule: DiskRule, disks: readonly DiskInfo[]): DiskChoice {
  if (rule !== 'first-fixed') {
    const name = rule.replace(/^\/dev\//, '');
    const disk = disks.find((d) => d.name === name);
    if (!disk) return { ok: false, reason: `${rule} is not a disk on this machine` };
    const why = refusal(disk);
    return why === undefined ? { ok: true, disk } : { ok: false, reason: why };
  }
  const candidates = disks.filter((d) => !NEVER_AUTO.test(d.name) && refusal(d) === undefined);
  const [only, ...others] = candidates;
  if (only === undefined) {
    const seen = disks.filter((d) => !NEVER_AUTO.test(d.name));
    const why = seen.map((d) => refusal(d) ?? d.name).join('; ');
    return { ok: false, reason: `no fixed disk to install on${why ? ` (${why})` : ''}` };
  }
  if (others.length > 0) {
    const names = candidates.map((d) => `/dev/${d.name}`).join(', ');
    return {
      ok: false,
      reason: `more than one fixed disk (${names}): name the target disk in the step`,
    };
  }
  return { ok: true, disk: only };
}

async function text(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trim();
}

/** Major:minor numbers of mounted block devices, from /proc/self/mountinfo. */
export async function mountedDevices(mountinfo = '/proc/self/mountinfo'): Promise<Set<string>> {
  const out = new Set<string>();
  for (const line of (await text(mountinfo)).split('\n')) {
    const dev = line.split(' ')[2];
    if (dev !== undefined && !dev.startsWith('0:')) out.add(dev);
  }
  return out;
}

/** Reads the disks under `<sys>/block` (tests pass a tree of their own). */
export async function listDisks(sys = '/sys', mounted?: Set<string>): Promise<DiskInfo[]> {
  const inUseDevs = mounted ?? (await mountedDevices());
  const names = (await readdir(join(sys, 'block')).catch(() => [])).sort();
  const disks: DiskInfo[] = [];
  for (const name of names) {
    const dir = join(sys, 'block', name);
    const partitions = (await readdir(dir).catch(() => [])).filter((p) => p.startsWith(name));
    const devs = [await text(join(dir, 'dev'))];
    for (const p of partitions) devs.push(await text(join(dir, p, 'dev')));
    // /sys/block/<name> links into the device tree: a USB disk's path runs through a usb node.
    const link = await readlink(dir).catch(() => '');
    disks.push({
      name,
      sizeBytes: Number(await text(join(dir, 'size'))) * 512,
      removable: (await text(join(dir, 'removable'))) === '1',
      readOnly: (await text(join(dir, 'ro'))) === '1',
      hotplugBus: /\/(usb\d|fw\d|firewire|mmc\d)/i.test(link),
      inUse: devs.some((d) => d !== '' && inUseDevs.has(d)),
      partitions: partitions.sort(),
    });
  }
  return disks;
}

/** The device path of partition `n` of a disk (`sda1`, but `nvme0n1p1`, `loop0p1`). */
export function partitionPath(disk: string, n: number): string {
  const base = disk.startsWith('/dev/') ? disk : `/dev/${disk}`;
  return /\d$/.test(base) ? `${base}p${String(n)}` : `${base}${String(n)}`;
}
