import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsImageManifest, StepOf } from '@steward/protocol';
import { failed, type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { type BootEnvHost, OSD_VARS } from './host.js';
import { reusePrestaged } from './prestaged.js';
import { mountTarget, must, refuse, stepOf } from './target.js';

/** GNU tar flags that keep what a Debian system needs: owners by number, modes, xattrs, ACLs. */
export const TAR_KEEP = [
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--acls',
  '--sparse',
] as const;

async function uuidOf(dev: string, ctx: StepContext): Promise<string> {
  const out = (await must(`blkid ${dev}`, 'blkid', ['-s', 'UUID', '-o', 'value', dev], ctx)).trim();
  if (!/^[0-9A-Fa-f-]+$/.test(out)) refuse(`${dev} has no file-system UUID`);
  return out;
}

/** /etc/fstab naming every file system by UUID, so disk names may change between boots. */
export async function writeFstab(targetDir: string, ctx: StepContext): Promise<string> {
  const root = ctx.variables[OSD_VARS.rootPartition] ?? '';
  const esp = ctx.variables[OSD_VARS.espPartition] ?? '';
  const lines = [
    '# Written by Steward (apply OS image): file systems by UUID.',
    `UUID=${await uuidOf(root, ctx)}\t/\text4\terrors=remount-ro\t0\t1`,
  ];
  if (esp) lines.push(`UUID=${await uuidOf(esp, ctx)}\t/boot/efi\tvfat\tumask=0077\t0\t1`);
  const text = `${lines.join('\n')}\n`;
  await mkdir(join(targetDir, 'etc'), { recursive: true });
  await writeFile(join(targetDir, 'etc/fstab'), text, { mode: 0o644 });
  return text;
}

/** Whether the image's file systems fit the target's root file system. */
async function checkRoom(manifest: OsImageManifest, targetDir: string): Promise<void> {
  const fs = await statfs(targetDir);
  const free = fs.bavail * fs.bsize;
  const need = manifest.fileSystems.reduce((n, f) => n + f.usedBytes, 0);
  if (need > free)
    refuse(
      `image ${manifest.name} needs ${String(Math.ceil(need / 2 ** 20))} MiB, the target has ${String(Math.floor(free / 2 ** 20))} MiB`,
    );
}

/**
 * Apply OS image: mounts the partitions the partition step made, extracts every file system's
 * archive into place (in mount-point order, so /boot lands inside /), and writes /etc/fstab by
 * UUID. The archives are verified by the host's download (content is hash-checked).
 */
export function applyOsImage(
  step: StepOf<'apply-os-image'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    await mountTarget(host.targetDir, ctx);
    // A prestaged disk already holds the image: nothing is downloaded or extracted (ADR 0107).
    if (await reusePrestaged(step, ctx, host.targetDir)) {
      const fstab = await writeFstab(host.targetDir, ctx);
      ctx.setVariable(OSD_VARS.imageId, step.settings.imageId);
      return {
        ...SUCCEEDED,
        outputTail: `kept the OS image already applied on the prestaged disk\n${fstab}`,
      };
    }
    const fetch = host.fetchOsImage;
    if (!fetch) return failed('this environment cannot download OS images');
    await mountTarget(host.targetDir, ctx);
    const image = await fetch(step.settings.imageId, ctx.signal);
    await checkRoom(image.manifest, host.targetDir);
    const ordered = [...image.manifest.fileSystems].sort((a, b) =>
      a.mountpoint.localeCompare(b.mountpoint),
    );
    for (const fs of ordered) {
      const into = join(host.targetDir, fs.mountpoint);
      await mkdir(into, { recursive: true });
      await must(
        `extract ${fs.archive}`,
        'tar',
        ['--zstd', '-xpf', join(image.dir, fs.archive), '-C', into, ...TAR_KEEP],
        ctx,
      );
    }
    const fstab = await writeFstab(host.targetDir, ctx);
    ctx.setVariable(OSD_VARS.imageId, step.settings.imageId);
    return {
      ...SUCCEEDED,
      outputTail: `applied ${image.manifest.name} (${image.manifest.os.prettyName})\n${fstab}`,
    };
  });
}

/** /etc/os-release of a mounted system as facts (ID, VERSION_ID, PRETTY_NAME). */
export async function osReleaseOf(root: string): Promise<Record<string, string>> {
  const text =
    (await readFile(join(root, 'etc/os-release'), 'utf8').catch(() => undefined)) ??
    (await readFile(join(root, 'usr/lib/os-release'), 'utf8').catch(() => ''));
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}
