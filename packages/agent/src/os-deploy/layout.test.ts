import { describe, expect, it } from 'vitest';
import { ESP_MIB, firmwareOf, GPT_TYPES, planLayout, sfdiskScript } from './layout.js';
import { grubInstallArgs } from './boot-loader-step.js';

const MIB = 2 ** 20;

describe('planLayout', () => {
  it('gives UEFI an EFI system partition mounted at /boot/efi and the root the rest', () => {
    const got = planLayout('uefi', 8192 * MIB);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.plan.partitions.map((p) => [p.role, p.sizeMiB, p.fileSystem, p.mountpoint])).toEqual(
      [
        ['esp', ESP_MIB, 'vfat', '/boot/efi'],
        ['root', null, 'ext4', '/'],
      ],
    );
    expect(sfdiskScript(got.plan)).toBe(
      `label: gpt\n\nsize=${String(ESP_MIB)}MiB, type=${GPT_TYPES.esp}, name="efi"\ntype=${GPT_TYPES.linux}, name="root"\n`,
    );
  });

  it('gives BIOS a 1 MiB BIOS boot partition with no file system for GRUB', () => {
    const got = planLayout('bios', 8192 * MIB);
    expect(got.ok && got.plan.partitions[0]).toMatchObject({
      role: 'bios-boot',
      sizeMiB: 1,
      typeGuid: GPT_TYPES.biosBoot,
      fileSystem: 'none',
      mountpoint: null,
    });
  });

  it('refuses a disk whose root would be under the minimum, and says how much is needed', () => {
    expect(planLayout('uefi', 300 * MIB)).toEqual({
      ok: false,
      reason: 'the disk holds 300 MiB: a UEFI layout needs at least 386 MiB',
    });
    expect(planLayout('uefi', 386 * MIB).ok).toBe(true);
    expect(planLayout('bios', 259 * MIB).ok).toBe(true);
    expect(planLayout('bios', 258 * MIB).ok).toBe(false);
  });

  it('auto follows the firmware the boot environment was started by', () => {
    expect(firmwareOf('auto', 'uefi')).toBe('uefi');
    expect(firmwareOf('auto', 'bios')).toBe('bios');
    expect(firmwareOf('bios', 'uefi')).toBe('bios');
  });
});

describe('grubInstallArgs', () => {
  it('installs to the disk for BIOS, to the removable path without NVRAM for UEFI', () => {
    expect(grubInstallArgs('bios', 'x86_64', '/dev/vda')).toEqual([
      '--target=i386-pc',
      '--recheck',
      '/dev/vda',
    ]);
    expect(grubInstallArgs('uefi', 'x86_64', '/dev/vda')).toContain('--removable');
    expect(grubInstallArgs('uefi', 'aarch64', '/dev/vda')[0]).toBe('--target=arm64-efi');
    expect(() => grubInstallArgs('bios', 'aarch64', '/dev/vda')).toThrow(/x86_64/);
  });
});
