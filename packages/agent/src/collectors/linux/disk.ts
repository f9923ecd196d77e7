import { statfs } from 'node:fs/promises';
import type { InventoryInstance } from '@steward/protocol';
import { readText } from '../system.js';
import type { ClassCollector } from '../types.js';

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMount(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct: string) =>
    String.fromCharCode(Number.parseInt(oct, 8)),
  );
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountPoint, fsType] = line.trim().split(/\s+/);
    if (device === undefined || mountPoint === undefined || fsType === undefined) continue;
    out.push({ device: unescapeMount(device), mountPoint: unescapeMount(mountPoint), fsType });
  }
  return out;
}

/** File system types listed as `nodev` in /proc/filesystems: proc, sysfs, tmpfs, cgroup... */
export function parseNodevTypes(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^nodev\s+(\S+)/.exec(line);
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return out;
}

// Real storage even though the kernel lists them as nodev (no single block device behind them).
const STORAGE_NODEV = new Set(['zfs', 'btrfs', 'nfs', 'nfs4', 'cifs', 'smb3', 'ceph', 'glusterfs']);

/**
 * Keeps file systems backed by storage: not a pseudo file system, mounted once per device and
 * mount point. A container's overlay root counts, so a container still reports its disk.
 */
export function realFilesystems(
  mounts: readonly MountEntry[],
  nodev: ReadonlySet<string>,
): MountEntry[] {
  const seen = new Set<string>();
  return mounts.filter((m) => {
    const real =
      !nodev.has(m.fsType) ||
      STORAGE_NODEV.has(m.fsType) ||
      (m.mountPoint === '/' && m.fsType === 'overlay');
    const key = `${m.device}\u0000${m.mountPoint}`;
    if (!real || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const MB = 1024 * 1024;

export const diskCollector: ClassCollector = {
  className: 'disk',
  async collect(): Promise<InventoryInstance[]> {
    const mounts = parseMounts((await readText('/proc/mounts')) ?? '');
    const nodev = parseNodevTypes((await readText('/proc/filesystems')) ?? '');
    const out: InventoryInstance[] = [];
    for (const m of realFilesystems(mounts, nodev)) {
      try {
        const st = await statfs(m.mountPoint);
        out.push({
          device: m.device,
          mountPoint: m.mountPoint,
          fsType: m.fsType,
          sizeMb: Math.round((st.blocks * st.bsize) / MB),
          freeMb: Math.round((st.bavail * st.bsize) / MB),
        });
      } catch {
        // Stale network mounts or mount points we may not enter: leave them out.
      }
    }
    return out;
  },
};
