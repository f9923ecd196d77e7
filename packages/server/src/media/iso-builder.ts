import { spawn } from 'node:child_process';
import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Builds a hybrid ISO image that boots BIOS and UEFI machines into a boot image (ADR 0089):
 * GRUB's `grub-mkrescue` (xorriso underneath) with GRUB for both firmwares, a GRUB menu whose one
 * entry boots the boot image's kernel and initramfs with the media's kernel command line, on the
 * screen and the first serial port. The same file boots from a CD and, written with dd, from a
 * USB stick.
 */

/** Where Debian's GRUB packages put the platform files grub-mkrescue needs. */
export const GRUB_PLATFORMS = {
  bios: { dir: '/usr/lib/grub/i386-pc', package: 'grub-pc-bin' },
  uefi: { dir: '/usr/lib/grub/x86_64-efi', package: 'grub-efi-amd64-bin' },
} as const;

/** What the media need on the site server, or why they cannot be built here. */
export function isoToolsMissing(): string | undefined {
  const missing: string[] = [];
  for (const [tool, pkg] of [
    ['grub-mkrescue', 'grub-common'],
    ['xorriso', 'xorriso'],
    ['mformat', 'mtools'],
  ] as const)
    if (!onPath(tool)) missing.push(pkg);
  for (const p of Object.values(GRUB_PLATFORMS)) if (!existsSync(p.dir)) missing.push(p.package);
  return missing.length === 0
    ? undefined
    : `the site server cannot build ISO images: install ${missing.join(', ')}`;
}

function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '/usr/bin:/bin')
    .split(':')
    .some((d) => d !== '' && existsSync(join(d, tool)));
}

export interface IsoInput {
  /** The menu entry's title. */
  title: string;
  kernel: string;
  initrd: string;
  kernelArgs: string;
  /** Written as `steward/media.json` on the image (what the media are, for people and tools). */
  manifest: unknown;
  /** More files under `steward/`: copies of local files (library content) and written text. */
  files?: readonly { path: string; source: string }[];
  texts?: readonly { path: string; text: string }[];
}

/**
 * Puts a local file at `dest`: a hard link when the content library is on the same file system
 * (standalone media carry whole OS images: no second copy on the site's disk), else a copy.
 */
export async function placeFile(source: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  try {
    await link(source, dest);
  } catch {
    await copyFile(source, dest);
  }
}

/** Writes the `steward/` folder's extra files and texts under `dir`. */
export async function placeExtras(
  input: Pick<IsoInput, 'files' | 'texts'>,
  dir: string,
): Promise<void> {
  for (const f of input.files ?? []) await placeFile(f.source, join(dir, f.path));
  for (const t of input.texts ?? []) {
    await mkdir(dirname(join(dir, t.path)), { recursive: true });
    await writeFile(join(dir, t.path), t.text);
  }
}

/** The media's one GRUB menu entry, chosen after a short wait (ISO and prestaged ESP alike). */
export function grubMenu(input: Pick<IsoInput, 'title' | 'kernelArgs'>): string[] {
  return [
    'set timeout=3',
    'set default=0',
    `menuentry "${input.title.replace(/["\\$]/g, '')}" {`,
    `  linux /steward/vmlinuz ${input.kernelArgs}`,
    '  initrd /steward/initrd.img',
    '}',
    '',
  ];
}

/** The GRUB configuration of the ISO: console on screen and the first serial port, the menu. */
export function grubConfig(input: Pick<IsoInput, 'title' | 'kernelArgs'>): string {
  return [
    'serial --unit=0 --speed=115200',
    'terminal_input console serial',
    'terminal_output console serial',
    ...grubMenu(input),
  ].join('\n');
}

/**
 * Writes the ISO to `out`, using `work` for its tree. `progress` hears 0-100 as xorriso writes.
 * Rejects with xorriso's last lines when it fails.
 */
export async function buildIso(
  input: IsoInput,
  work: string,
  out: string,
  progress: (percent: number) => void,
): Promise<void> {
  const tree = join(work, 'tree');
  await mkdir(join(tree, 'boot/grub'), { recursive: true });
  await mkdir(join(tree, 'steward'), { recursive: true });
  await copyFile(input.kernel, join(tree, 'steward/vmlinuz'));
  await copyFile(input.initrd, join(tree, 'steward/initrd.img'));
  await writeFile(join(tree, 'steward/media.json'), `${JSON.stringify(input.manifest, null, 2)}\n`);
  await writeFile(join(tree, 'boot/grub/grub.cfg'), grubConfig(input));
  await placeExtras(input, join(tree, 'steward'));
  await run(
    'grub-mkrescue',
    ['-o', out, tree, '--', '-volid', 'STEWARD_MEDIA'],
    { TMPDIR: work },
    progress,
  );
}

export function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  progress: (percent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const hear = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        const m = /(\d+(?:\.\d+)?)% done/.exec(line);
        if (m?.[1]) progress(Number(m[1]));
      }
    };
    child.stdout.on('data', hear);
    child.stderr.on('data', hear);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${String(code)}: ${tail.slice(-6).join(' | ')}`));
    });
  });
}
