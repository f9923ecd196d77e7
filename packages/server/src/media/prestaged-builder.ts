import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PRESTAGED_MARKER_FILE,
  PRESTAGED_ROOT_LABEL,
  type OsImageManifest,
  type PrestagedMarker,
} from '@steward/protocol';
import { grubMenu, placeExtras, run, type IsoInput } from './iso-builder.js';

/**
 * Prestaged media (issue 11, ADR 0097): a raw GPT disk image written to a machine's disk at the
 * factory. Partition 1 is an EFI system partition (FAT, made with mtools) holding a standalone
 * GRUB at the removable path (`EFI/BOOT/BOOTX64.EFI`) and the boot image under `steward/`;
 * partition 2 is the root ext4 with the OS image already extracted (mke2fs -d). On first boot
 * GRUB starts the boot environment, which contacts the site and runs what is deployed to the
 * machine. Everything is made on a plain file: no loop device, no mount.
 */

const MiB = 1024 * 1024;
const SECTOR = 512;
/** GPT type GUIDs: EFI system partition, Linux root (x86-64). */
const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const ROOT_TYPE = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';
/** tar options that keep what an OS image holds (as the apply step, ADR 0077). */
const TAR_KEEP = ['--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--sparse'];

export interface PrestagedLayout {
  espStart: number;
  espBytes: number;
  rootStart: number;
  rootBytes: number;
  totalBytes: number;
}

const roundMiB = (n: number) => Math.ceil(n / MiB) * MiB;

/**
 * Sizes: the ESP holds the kernel and initramfs with 16 MiB to spare (at least 64 MiB); the
 * root takes the image's used bytes plus a quarter and 64 MiB for ext4's own structures (the
 * installed system grows into the rest of the disk later; the image is only what is needed).
 */
export function prestagedLayout(bootBytes: number, usedBytes: number): PrestagedLayout {
  const espStart = MiB;
  const espBytes = Math.max(64 * MiB, roundMiB(bootBytes + 16 * MiB));
  const rootStart = espStart + espBytes;
  const rootBytes = roundMiB(usedBytes * 1.25 + 64 * MiB);
  return { espStart, espBytes, rootStart, rootBytes, totalBytes: rootStart + rootBytes + MiB };
}

export interface PrestagedInput extends IsoInput {
  image: { dir: string; manifest: OsImageManifest; marker: PrestagedMarker };
  bootBytes: number;
}

/** GRUB's embedded configuration: find the ESP by the manifest it holds, then the menu. */
function embeddedConfig(input: IsoInput): string {
  return ['search --no-floppy --set=root --file /steward/media.json', ...grubMenu(input)].join(
    '\n',
  );
}

/** Writes the prestaged disk image to `out`, working in `work`; `progress` hears 0-100. */
export async function buildPrestaged(
  input: PrestagedInput,
  work: string,
  out: string,
  progress: (percent: number, text: string) => void,
): Promise<PrestagedLayout> {
  const fileSystems = input.image.manifest.fileSystems.filter((f) => f.type === 'ext4');
  const layout = prestagedLayout(
    input.bootBytes,
    fileSystems.reduce((s, f) => s + f.usedBytes, 0),
  );
  const root = join(work, 'root');
  await mkdir(root);
  // Mount-point order, as the apply step: /home lands inside the root's tree.
  const ordered = [...fileSystems].sort((a, b) => a.mountpoint.length - b.mountpoint.length);
  for (const [i, fs] of ordered.entries()) {
    progress((i / ordered.length) * 50, `extracting ${fs.mountpoint} of the OS image`);
    const into = join(root, fs.mountpoint);
    await mkdir(into, { recursive: true });
    await run(
      'tar',
      ['--zstd', '-xpf', join(input.image.dir, fs.archive), '-C', into, ...TAR_KEEP],
      {},
      () => undefined,
    );
  }
  // What the boot environment's first run reuses instead of applying again (ADR 0107).
  await writeFile(join(root, PRESTAGED_MARKER_FILE), `${JSON.stringify(input.image.marker)}\n`);
  progress(55, 'partitioning the disk image');
  await run('truncate', ['-s', String(layout.totalBytes), out], {}, () => undefined);
  const script = [
    'label: gpt',
    `start=${String(layout.espStart / SECTOR)}, size=${String(layout.espBytes / SECTOR)}, type=${ESP_TYPE}, name="steward-esp"`,
    `start=${String(layout.rootStart / SECTOR)}, size=${String(layout.rootBytes / SECTOR)}, type=${ROOT_TYPE}, name="steward-root"`,
    '',
  ].join('\n');
  await writeFile(join(work, 'sfdisk'), script);
  await run(
    'sh',
    ['-c', `sfdisk -q "$1" < "$2"`, 'sfdisk', out, join(work, 'sfdisk')],
    {},
    () => undefined,
  );
  progress(60, 'writing the root file system');
  await run(
    'mke2fs',
    [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-L',
      PRESTAGED_ROOT_LABEL,
      '-d',
      root,
      '-E',
      `offset=${String(layout.rootStart)}`,
      out,
      `${String(layout.rootBytes / 1024)}k`,
    ],
    {},
    () => undefined,
  );
  progress(85, 'writing the EFI system partition');
  const esp = join(work, 'esp');
  await mkdir(join(esp, 'steward'), { recursive: true });
  await placeExtras(
    {
      files: [
        { path: 'vmlinuz', source: input.kernel },
        { path: 'initrd.img', source: input.initrd },
        ...(input.files ?? []),
      ],
      texts: [
        { path: 'media.json', text: `${JSON.stringify(input.manifest, null, 2)}\n` },
        ...(input.texts ?? []),
      ],
    },
    join(esp, 'steward'),
  );
  await mkdir(join(esp, 'EFI/BOOT'), { recursive: true });
  await writeFile(join(work, 'grub.cfg'), embeddedConfig(input));
  await run(
    'grub-mkstandalone',
    [
      '-O',
      'x86_64-efi',
      '-o',
      join(esp, 'EFI/BOOT/BOOTX64.EFI'),
      `boot/grub/grub.cfg=${join(work, 'grub.cfg')}`,
    ],
    { TMPDIR: work },
    () => undefined,
  );
  const img = `${out}@@${String(layout.espStart)}`;
  await run(
    'mformat',
    ['-i', img, '-T', String(layout.espBytes / SECTOR), '-v', 'STEWARD', '::'],
    {},
    () => undefined,
  );
  await run(
    'mcopy',
    ['-i', img, '-s', '-Q', join(esp, 'EFI'), join(esp, 'steward'), '::/'],
    {},
    () => undefined,
  );
  return layout;
}
