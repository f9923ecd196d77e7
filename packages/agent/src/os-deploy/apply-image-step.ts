import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsImageFileSystem, OsImageManifest, StepOf } from '@steward/protocol';
import { type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { type BootEnvHost, OSD_VARS } from './host.js';
import {
  type AppliedArchive,
  appliedLine,
  type ArchiveSource,
  emptyFolder,
  extractFrom,
  localImageSources,
  type OsImageSources,
} from './image-stream.js';
import { reusePrestaged } from './prestaged.js';
import { mountTarget, must, refuse, stepOf } from './target.js';

export { TAR_KEEP } from './image-stream.js';

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

/** The image's sources: streamed from the host (DPs, multicast) or read from a local folder. */
async function sourcesOf(
  host: BootEnvHost,
  imageId: string,
  signal: AbortSignal,
): Promise<OsImageSources> {
  if (host.openOsImage) return host.openOsImage(imageId, signal);
  if (host.fetchOsImage) return localImageSources(await host.fetchOsImage(imageId, signal));
  return refuse('this environment cannot download OS images');
}

/**
 * One archive into its mount point from the first source that delivers its exact bytes. A
 * source that fails after tar wrote something has its files removed before the next one.
 * Returns how the bytes came (multicast, HTTP) and why a better source was passed over.
 */
async function applyArchive(
  fs: OsImageFileSystem,
  sources: ArchiveSource[],
  into: string,
  ctx: StepContext,
): Promise<AppliedArchive> {
  const passedOver: string[] = [];
  for (const source of sources) {
    const out = await extractFrom(source, fs, into, ctx.signal);
    switch (out.kind) {
      case 'applied':
        return {
          archive: fs.archive,
          bytes: fs.archiveBytes,
          method: source.method,
          detail: out.detail,
          passedOver,
        };
      case 'source-failed':
        passedOver.push(`${source.method}: ${out.reason}`);
        if (out.touched) await emptyFolder(into);
        break;
      case 'local-failure':
        await emptyFolder(into);
        return refuse(`${fs.archive}: ${out.reason}`);
    }
  }
  return refuse(
    sources.length === 0
      ? `${fs.archive}: no source for the archive (distribute the image to a DP first)`
      : `${fs.archive} could not be applied: ${passedOver.join('; ')}`,
  );
}

/**
 * Apply OS image: mounts the partitions the partition step made and streams every file
 * system's archive into place (in mount-point order, so /boot lands inside /): by multicast
 * when the DP offers a session, else by HTTP, else from the media, each verified by SHA-256
 * while tar extracts it. A failure leaves the target emptied, without /etc/fstab or the
 * applied image's variable. Then /etc/fstab by UUID.
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
    const image = await sourcesOf(host, step.settings.imageId, ctx.signal);
    await checkRoom(image.manifest, host.targetDir);
    const ordered = [...image.manifest.fileSystems].sort((a, b) =>
      a.mountpoint.localeCompare(b.mountpoint),
    );
    const lines: string[] = [];
    try {
      for (const fs of ordered) {
        const into = join(host.targetDir, fs.mountpoint);
        await mkdir(into, { recursive: true });
        const applied = await applyArchive(fs, image.sources(fs), into, ctx);
        image.report?.(applied);
        lines.push(appliedLine(applied));
      }
    } catch (err) {
      await emptyFolder(host.targetDir);
      throw err;
    }
    const fstab = await writeFstab(host.targetDir, ctx);
    ctx.setVariable(OSD_VARS.imageId, step.settings.imageId);
    return {
      ...SUCCEEDED,
      outputTail: `applied ${image.manifest.name} (${image.manifest.os.prettyName})\n${lines.join('\n')}\n${fstab}`,
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
