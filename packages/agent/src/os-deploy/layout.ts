/**
 * Partition layouts for an OS deployment (ADR 0077): GPT in both cases, so one OS image fits
 * either firmware. BIOS machines get a 1 MiB BIOS boot partition (GRUB's core image lives there,
 * no file system) before the root; UEFI machines get an EFI system partition (FAT32, mounted at
 * /boot/efi). The root file system takes the rest of the disk.
 */
export type Firmware = 'bios' | 'uefi';

export type PartitionRole = 'bios-boot' | 'esp' | 'root';

export interface PlannedPartition {
  number: number;
  role: PartitionRole;
  /** GPT partition name. */
  name: string;
  /** Size in MiB; null for "the rest of the disk". */
  sizeMiB: number | null;
  typeGuid: string;
  fileSystem: 'none' | 'vfat' | 'ext4';
  /** Where it is mounted in the installed system; null when it is not mounted. */
  mountpoint: string | null;
}

export interface LayoutPlan {
  firmware: Firmware;
  partitions: PlannedPartition[];
}

export const GPT_TYPES = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

/** Sizes of the fixed partitions. 1 MiB at the start is the alignment gap GPT tools leave. */
export const BIOS_BOOT_MIB = 1;
export const ESP_MIB = 128;
const ALIGNMENT_MIB = 1;
/** A root smaller than this cannot hold even a minimal Debian. */
export const MIN_ROOT_MIB = 256;

const MIB = 1024 * 1024;

export type LayoutResult = { ok: true; plan: LayoutPlan } | { ok: false; reason: string };

/** The layout for a disk of `diskBytes`, refused when the root would be too small. */
export function planLayout(
  firmware: Firmware,
  diskBytes: number,
  minRootMiB = MIN_ROOT_MIB,
): LayoutResult {
  const first: PlannedPartition =
    firmware === 'bios'
      ? {
          number: 1,
          role: 'bios-boot',
          name: 'bios-boot',
          sizeMiB: BIOS_BOOT_MIB,
          typeGuid: GPT_TYPES.biosBoot,
          fileSystem: 'none',
          mountpoint: null,
        }
      : {
          number: 1,
          role: 'esp',
          name: 'efi',
          sizeMiB: ESP_MIB,
          typeGuid: GPT_TYPES.esp,
          fileSystem: 'vfat',
          mountpoint: '/boot/efi',
        };
  // GPT keeps 33 sectors at each end for its tables; a MiB at the end covers the backup.
  const diskMiB = Math.floor(diskBytes / MIB);
  const rootMiB = diskMiB - ALIGNMENT_MIB - (first.sizeMiB ?? 0) - 1;
  if (rootMiB < minRootMiB) {
    return {
      ok: false,
      reason: `the disk holds ${String(diskMiB)} MiB: a ${firmware.toUpperCase()} layout needs at least ${String(minRootMiB + ALIGNMENT_MIB + (first.sizeMiB ?? 0) + 1)} MiB`,
    };
  }
  const root: PlannedPartition = {
    number: 2,
    role: 'root',
    name: 'root',
    sizeMiB: null,
    typeGuid: GPT_TYPES.linux,
    fileSystem: 'ext4',
    mountpoint: '/',
  };
  return { ok: true, plan: { firmware, partitions: [first, root] } };
}

/** The plan as an sfdisk script (input of `sfdisk --wipe always <disk>`). */
export function sfdiskScript(plan: LayoutPlan): string {
  const lines = ['label: gpt', ''];
  for (const p of plan.partitions) {
    const size = p.sizeMiB === null ? '' : `size=${String(p.sizeMiB)}MiB, `;
    lines.push(`${size}type=${p.typeGuid}, name="${p.name}"`);
  }
  return `${lines.join('\n')}\n`;
}

/** Which layout `auto` means on this machine: UEFI when the kernel was booted by UEFI. */
export function firmwareOf(layout: 'auto' | Firmware, bootedBy: Firmware): Firmware {
  return layout === 'auto' ? bootedBy : layout;
}
