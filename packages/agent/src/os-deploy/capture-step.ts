import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdir, mkdtemp, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OS_IMAGE_FORMAT,
  OS_IMAGE_MANIFEST_FILE,
  type OsImageManifest,
  type StepOf,
} from '@steward/protocol';
import { failed, type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { runProgram } from '../task-sequence/run-program.js';
import { osReleaseOf, TAR_KEEP } from './apply-image-step.js';
import { chooseDisk, listDisks, partitionPath } from './disks.js';
import { generalise } from './generalise.js';
import { type BootEnvHost, type LocalOsImage, OSD_VARS } from './host.js';
import { mountOnce, must, refuse, stepOf, unmountTarget } from './target.js';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The reference system's root partition: the one the sequence knows, else found on the disk. */
export async function sourceRoot(
  ctx: StepContext,
  host: BootEnvHost,
  probe: string,
): Promise<string> {
  const known = ctx.variables[OSD_VARS.rootPartition];
  if (known) return known;
  const choice = chooseDisk(
    ctx.variables[OSD_VARS.disk] ?? 'first-fixed',
    await listDisks(host.sys),
  );
  if (!choice.ok) refuse(choice.reason);
  for (let n = 1; n <= choice.disk.partitions.length; n++) {
    const dev = partitionPath(choice.disk.name, n);
    const type = await runProgram('blkid', ['-s', 'TYPE', '-o', 'value', dev], ctx);
    if (type.outputTail.trim() !== 'ext4') continue;
    await mountOnce(dev, probe, ctx, ['-o', 'ro']);
    const os = await osReleaseOf(probe);
    await runProgram('umount', [probe], ctx);
    if (os.ID) return dev;
  }
  return refuse(`no partition of /dev/${choice.disk.name} holds an installed system`);
}

/** Archives a mounted file system with everything a Debian system needs kept. */
export async function archiveFileSystem(
  from: string,
  archive: string,
  ctx: Pick<StepContext, 'signal'>,
): Promise<{ archiveBytes: number; sha256: string }> {
  await must(
    `archive ${from}`,
    'tar',
    ['--zstd', '-cpf', archive, '-C', from, '--one-file-system', ...TAR_KEEP, '.'],
    ctx,
  );
  return { archiveBytes: (await stat(archive)).size, sha256: await sha256Of(archive) };
}

/**
 * Archives a mounted file system straight into `sink` (tar's standard output, hashed here as it
 * passes): the archive never lands on local disk. The site's hash must be the one computed here.
 */
export async function streamFileSystem(
  from: string,
  sink: NonNullable<BootEnvHost['captureSink']>,
  ctx: Pick<StepContext, 'signal'>,
): Promise<{ archiveBytes: number; sha256: string }> {
  const tar = spawn(
    'tar',
    ['--zstd', '-cpf', '-', '-C', from, '--one-file-system', ...TAR_KEEP, '.'],
    { stdio: ['ignore', 'pipe', 'pipe'], signal: ctx.signal },
  );
  let stderr = '';
  tar.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  const hash = createHash('sha256');
  let size = 0;
  const counted = new PassThrough();
  tar.stdout.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  tar.stdout.pipe(counted);
  let stored: { sha256: string; size: number };
  try {
    stored = await sink.archive(counted, ctx.signal);
  } catch (err) {
    tar.kill('SIGKILL');
    await exited.catch(() => null);
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`archive ${from}: tar exited ${String(code)}: ${stderr.trim()}`);
  const sha256 = hash.digest('hex');
  if (stored.sha256 !== sha256 || stored.size !== size)
    throw new Error(
      `archive ${from}: the site stored ${String(stored.size)} bytes (${stored.sha256}), tar wrote ${String(size)} (${sha256})`,
    );
  return { archiveBytes: size, sha256 };
}

async function unmountAll(dirs: readonly string[]): Promise<void> {
  const never = new AbortController().signal;
  for (const d of [...dirs].reverse()) await runProgram('umount', [d], { signal: never });
}

/** Folders of one capture, under its own temporary folder. */
interface CaptureDirs {
  lower: string;
  scratch: string;
  view: string;
  image: string;
}

/**
 * Mounts the reference root read-only with a tmpfs overlay on top, so generalising changes the
 * view and never the reference machine. Pushes each mount onto `mounted` for the caller.
 */
async function mountView(dev: string, d: CaptureDirs, mounted: string[], ctx: StepContext) {
  await mountOnce(dev, d.lower, ctx, ['-o', 'ro']);
  mounted.push(d.lower);
  // The overlay's upper layer must not be on an overlay itself (the boot image's root is one).
  await mountOnce('tmpfs', d.scratch, ctx, ['-t', 'tmpfs', '-o', 'size=64m']);
  mounted.push(d.scratch);
  await mkdir(join(d.scratch, 'upper'));
  await mkdir(join(d.scratch, 'work'));
  const layers = `lowerdir=${d.lower},upperdir=${d.scratch}/upper,workdir=${d.scratch}/work`;
  await mountOnce('overlay', d.view, ctx, ['-t', 'overlay', '-o', layers]);
  mounted.push(d.view);
}

/** Archives the generalised view and writes the image's manifest beside the archive. */
async function buildImage(
  name: string,
  d: CaptureDirs,
  ctx: StepContext,
  sink: BootEnvHost['captureSink'],
): Promise<OsImageManifest> {
  const os = await osReleaseOf(d.view);
  const used = await statfs(d.lower);
  await mkdir(d.image);
  const archive = sink
    ? await streamFileSystem(d.view, sink, ctx)
    : await archiveFileSystem(d.view, join(d.image, 'root.tar.zst'), ctx);
  const manifest: OsImageManifest = {
    format: OS_IMAGE_FORMAT,
    name,
    source: 'capture',
    os: {
      id: os.ID ?? 'unknown',
      versionId: os.VERSION_ID ?? '',
      prettyName: os.PRETTY_NAME ?? os.ID ?? 'unknown',
      arch: process.arch === 'arm64' ? 'arm64' : 'amd64',
    },
    fileSystems: [
      {
        mountpoint: '/',
        type: 'ext4',
        usedBytes: (used.blocks - used.bfree) * used.bsize,
        archive: 'root.tar.zst',
        ...archive,
      },
    ],
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(d.image, OS_IMAGE_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Capture OS image: mounts the reference system read-only under an overlay (so generalising
 * never changes the reference machine itself), generalises the overlay, archives it with its
 * layout and OS facts into a new OS image and uploads it to the site.
 */
export function captureOsImage(
  step: StepOf<'capture-os-image'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    const sink = host.captureSink;
    const upload = sink
      ? (image: LocalOsImage, signal: AbortSignal) => sink.record(image.manifest, signal)
      : host.uploadOsImage;
    if (!upload) return failed('this environment cannot upload OS images');
    const work = await mkdtemp(join(host.workDir ?? tmpdir(), 'capture-'));
    const d: CaptureDirs = {
      lower: join(work, 'lower'),
      scratch: join(work, 'scratch'),
      view: join(work, 'view'),
      image: join(work, 'image'),
    };
    const mounted: string[] = [];
    try {
      // A file system is captured unmounted (here: read-only), never while a step may write it.
      await unmountTarget(host.targetDir);
      const dev = await sourceRoot(ctx, host, join(work, 'probe'));
      await mountView(dev, d, mounted, ctx);
      const removed = await generalise(d.view);
      const manifest = await buildImage(step.settings.imageName, d, ctx, sink);
      await unmountAll(mounted.splice(0));
      const id = await upload({ manifest, dir: d.image }, ctx.signal);
      ctx.setVariable(OSD_VARS.capturedImageId, id);
      return {
        ...SUCCEEDED,
        outputTail: `captured ${manifest.os.prettyName} from ${dev} as image ${id}\ngeneralised: ${removed.join(' ') || '(nothing to remove)'}`,
      };
    } finally {
      await unmountAll(mounted);
      await rm(work, { recursive: true, force: true });
    }
  });
}
