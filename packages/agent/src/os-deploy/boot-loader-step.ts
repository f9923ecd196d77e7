import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { type BootEnvHost, OSD_VARS } from './host.js';
import type { Firmware } from './layout.js';
import { bindForChroot, mountTarget, must, refuse, stepOf } from './target.js';

/**
 * grub-install's arguments for the firmware and architecture. UEFI installs to the removable
 * media path (EFI/BOOT/BOOTX64.EFI) without touching NVRAM: firmware boots that path from any
 * disk with no boot entry, so the machine starts from its disk even when its NVRAM is new or
 * reset (a new VM, a replaced board). The `debian` entry comes with the image's own GRUB
 * package on its first upgrade.
 */
export function grubInstallArgs(firmware: Firmware, arch: string, disk: string): string[] {
  if (firmware === 'bios') {
    if (arch !== 'x86_64') refuse(`a BIOS boot loader needs an x86_64 machine, not ${arch}`);
    return ['--target=i386-pc', '--recheck', disk];
  }
  const target = arch === 'aarch64' ? 'arm64-efi' : arch === 'x86_64' ? 'x86_64-efi' : undefined;
  if (target === undefined) refuse(`no UEFI GRUB target for ${arch}`);
  return [
    `--target=${target}`,
    '--efi-directory=/boot/efi',
    '--bootloader-id=debian',
    '--removable',
    '--no-nvram',
  ];
}

/** Install boot loader: GRUB from the applied image, run inside it (chroot), then its config. */
export function installBootLoader(ctx: StepContext, host: BootEnvHost): Promise<StepResult> {
  return stepOf(async () => {
    const firmware = ctx.variables[OSD_VARS.firmware];
    const disk = ctx.variables[OSD_VARS.disk];
    if ((firmware !== 'bios' && firmware !== 'uefi') || !disk)
      refuse('no target disk: run Partition disk and Apply OS image first');
    await mountTarget(host.targetDir, ctx, { esp: true });
    const grub = join(host.targetDir, 'usr/sbin/grub-install');
    await access(grub).catch(() =>
      refuse(
        `the applied image has no GRUB (install ${firmware === 'bios' ? 'grub-pc' : 'grub-efi-amd64'} in it)`,
      ),
    );
    const args = grubInstallArgs(firmware, process.arch === 'arm64' ? 'aarch64' : 'x86_64', disk);
    const unbind = await bindForChroot(host.targetDir, ctx);
    try {
      const out = await must(
        'grub-install',
        'chroot',
        [host.targetDir, 'grub-install', ...args],
        ctx,
      );
      const cfg = await must(
        'grub-mkconfig',
        'chroot',
        [host.targetDir, 'grub-mkconfig', '-o', '/boot/grub/grub.cfg'],
        ctx,
      );
      return { ...SUCCEEDED, outputTail: `${out}\n${cfg}`.slice(-4096) };
    } finally {
      await unbind();
    }
  });
}
