import { mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PRESTAGED_MARKER_FILE,
  PRESTAGED_ROOT_LABEL,
  PrestagedMarker,
  type StepOf,
} from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import type { StepContext } from '../task-sequence/executor.js';
import { runProgram } from '../task-sequence/run-program.js';
import { partitionPath } from './disks.js';
import { OSD_VARS } from './host.js';
import { mountOnce, must } from './target.js';

/** Set by the partition step on a prestaged disk: the OS image already applied there. */
export const PRESTAGED_IMAGE_VAR = 'OSDPrestagedImageId';

export interface PrestagedDisk {
  esp: string;
  root: string;
  marker: PrestagedMarker;
}

async function blkid(tag: string, dev: string, ctx: StepContext): Promise<string> {
  return (await runProgram('blkid', ['-s', tag, '-o', 'value', dev], ctx)).outputTail.trim();
}

/**
 * A prestaged disk (ADR 0107): partition 2 an ext4 labelled PRESTAGED_ROOT_LABEL holding the
 * marker the media build wrote, partition 1 its ESP. Read with the root mounted read-only for a
 * moment; undefined for any other disk (a used disk, a blank one).
 */
export async function findPrestaged(
  disk: string,
  ctx: StepContext,
): Promise<PrestagedDisk | undefined> {
  const root = partitionPath(disk, 2);
  if ((await blkid('LABEL', root, ctx)) !== PRESTAGED_ROOT_LABEL) return undefined;
  const probe = await mkdtemp(join(tmpdir(), 'steward-prestaged-'));
  let text: string | undefined;
  try {
    await mountOnce(root, probe, ctx, ['-o', 'ro']);
    text = await readFile(join(probe, PRESTAGED_MARKER_FILE), 'utf8').catch(() => undefined);
  } finally {
    await runProgram('umount', [probe], { signal: new AbortController().signal });
    await rmdir(probe).catch(() => undefined);
  }
  if (text === undefined) return undefined;
  let marker: unknown;
  try {
    marker = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Value.Check(PrestagedMarker, marker)) return undefined;
  return { esp: partitionPath(disk, 1), root, marker };
}

/**
 * Grows a kept prestaged disk's root to the end of the disk: the image was made only as large as
 * its OS image (plus room), the machine's disk is larger. The backup GPT moves to the disk's end
 * first, then partition 2 takes the rest and its ext4 follows.
 */
export async function growPrestaged(
  disk: string,
  p: PrestagedDisk,
  ctx: StepContext,
): Promise<void> {
  await must(`sfdisk --relocate ${disk}`, 'sfdisk', ['--relocate', 'gpt-bak-std', disk], ctx);
  await must(`sfdisk -N 2 ${disk}`, 'sfdisk', ['-q', '--no-reread', '-N', '2', disk], ctx, ', +\n');
  await runProgram('partx', ['-u', disk], { signal: ctx.signal });
  await runProgram('udevadm', ['settle', '--timeout=30'], { signal: ctx.signal });
  // e2fsck exits 1 when it corrected something: resize2fs then refuses or not on its own.
  await runProgram('e2fsck', ['-f', '-p', p.root], { signal: ctx.signal });
  await must(`resize2fs ${p.root}`, 'resize2fs', [p.root], ctx);
}

/**
 * Apply OS image on a prestaged disk: the image already there is kept when it is the step's
 * (the marker goes, so a later deployment applies as usual); another image gets a fresh root
 * file system first, as a partitioned disk would have. True when the image was reused.
 */
export async function reusePrestaged(
  step: StepOf<'apply-os-image'>,
  ctx: StepContext,
  targetDir: string,
): Promise<boolean> {
  const prestaged = ctx.variables[PRESTAGED_IMAGE_VAR];
  if (!prestaged) return false;
  ctx.setVariable(PRESTAGED_IMAGE_VAR, '');
  const root = ctx.variables[OSD_VARS.rootPartition] ?? '';
  if (prestaged === step.settings.imageId) {
    await rm(join(targetDir, PRESTAGED_MARKER_FILE), { force: true });
    return true;
  }
  await runProgram('umount', [targetDir], { signal: ctx.signal });
  await must(`mkfs.ext4 ${root}`, 'mkfs.ext4', ['-F', '-q', '-L', PRESTAGED_ROOT_LABEL, root], ctx);
  return false;
}
