import { stat } from 'node:fs/promises';
import type { StepOf } from '@steward/protocol';
import { type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { runProgram } from '../task-sequence/run-program.js';
import { chooseDisk, listDisks, partitionPath } from './disks.js';
import { type BootEnvHost, OSD_VARS } from './host.js';
import { firmwareOf, type PlannedPartition, planLayout, sfdiskScript } from './layout.js';
import { findPrestaged, growPrestaged, PRESTAGED_IMAGE_VAR } from './prestaged.js';
import { must, refuse, stepOf, unmountTarget } from './target.js';

async function isBlockDevice(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isBlockDevice() ?? false;
}

async function makeFileSystem(p: PlannedPartition, dev: string, ctx: StepContext): Promise<void> {
  switch (p.fileSystem) {
    case 'none':
      return;
    case 'vfat':
      await must(`mkfs.vfat ${dev}`, 'mkfs.vfat', ['-F', '32', '-n', 'EFI', dev], ctx);
      return;
    case 'ext4':
      await must(`mkfs.ext4 ${dev}`, 'mkfs.ext4', ['-F', '-q', '-L', p.name, dev], ctx);
      return;
  }
}

/**
 * Partition disk: chooses the disk by the step's rule (never a removable disk or the boot
 * medium; several fixed disks must be named), writes a GPT layout for the firmware, makes the
 * file systems and records the partitions in OSD* variables for the steps after it.
 */
export function partitionDisk(
  step: StepOf<'partition-disk'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    // A step run again after a crash finds its own target mounted: that is not the boot medium.
    await unmountTarget(host.targetDir);
    const choice = chooseDisk(step.settings.disk, await listDisks(host.sys));
    if (!choice.ok) refuse(choice.reason);
    const firmware = firmwareOf(step.settings.layout, host.firmware);
    const disk = `/dev/${choice.disk.name}`;
    // A prestaged disk is kept as the factory left it: the apply step reuses its image (ADR 0107).
    const prestaged = await findPrestaged(disk, ctx);
    if (prestaged) {
      await growPrestaged(disk, prestaged, ctx);
      ctx.setVariable(OSD_VARS.disk, disk);
      ctx.setVariable(OSD_VARS.firmware, firmware);
      ctx.setVariable(OSD_VARS.rootPartition, prestaged.root);
      ctx.setVariable(OSD_VARS.espPartition, prestaged.esp);
      ctx.setVariable(PRESTAGED_IMAGE_VAR, prestaged.marker.osImage.id);
      const { name, version } = prestaged.marker.osImage;
      return {
        ...SUCCEEDED,
        outputTail: `${disk}: prestaged by media ${prestaged.marker.media} with ${name} version ${String(version)}: kept (its root grown to the end of the disk), not partitioned`,
      };
    }
    const layout = planLayout(firmware, choice.disk.sizeBytes);
    if (!layout.ok) refuse(layout.reason);
    const script = sfdiskScript(layout.plan);
    await must(
      `sfdisk ${disk}`,
      'sfdisk',
      ['--wipe', 'always', '--wipe-partitions', 'always', '-q', disk],
      ctx,
      script,
    );
    // sfdisk asks the kernel to re-read the table; partx covers disks where that is refused,
    // and udev must have made the nodes before mkfs opens them.
    await runProgram('partx', ['-u', disk], { signal: ctx.signal });
    await runProgram('udevadm', ['settle', '--timeout=30'], { signal: ctx.signal });
    let rootDev = '';
    let espDev = '';
    for (const p of layout.plan.partitions) {
      const dev = partitionPath(disk, p.number);
      if (!(await isBlockDevice(dev))) refuse(`${dev} did not appear after partitioning`);
      await makeFileSystem(p, dev, ctx);
      if (p.role === 'root') rootDev = dev;
      if (p.role === 'esp') espDev = dev;
    }
    ctx.setVariable(OSD_VARS.disk, disk);
    ctx.setVariable(OSD_VARS.firmware, firmware);
    ctx.setVariable(OSD_VARS.rootPartition, rootDev);
    ctx.setVariable(OSD_VARS.espPartition, espDev);
    return {
      ...SUCCEEDED,
      outputTail: `${disk}: ${firmware.toUpperCase()} layout\n${script}`,
    };
  });
}
