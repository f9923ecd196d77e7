import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseDisk, type DiskInfo, listDisks, partitionPath } from './disks.js';

const GIB = 2 ** 30;
function disk(name: string, extra: Partial<DiskInfo> = {}): DiskInfo {
  return {
    name,
    sizeBytes: 32 * GIB,
    removable: false,
    readOnly: false,
    hotplugBus: false,
    inUse: false,
    partitions: [],
    ...extra,
  };
}

describe('chooseDisk', () => {
  it('takes the only fixed disk, ignoring loop, optical, RAM and removable disks', () => {
    const got = chooseDisk('first-fixed', [
      disk('loop0'),
      disk('sr0'),
      disk('zram0'),
      disk('sdb', { removable: true }),
      disk('sdc', { hotplugBus: true }),
      disk('vda'),
    ]);
    expect(got).toEqual({ ok: true, disk: disk('vda') });
  });

  it('refuses to guess between two fixed disks', () => {
    const got = chooseDisk('first-fixed', [disk('sda'), disk('nvme0n1')]);
    expect(got.ok).toBe(false);
    if (!got.ok)
      expect(got.reason).toMatch(/more than one fixed disk \(\/dev\/sda, \/dev\/nvme0n1\)/);
  });

  it('never takes the boot medium, and says why there is no disk', () => {
    const got = chooseDisk('first-fixed', [
      disk('sda', { inUse: true }),
      disk('sdb', { removable: true }),
    ]);
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.reason).toContain('sda holds a mounted file system');
      expect(got.reason).toContain('sdb is a removable disk');
    }
  });

  it('refuses an empty drive and a read-only one', () => {
    expect(chooseDisk('first-fixed', [disk('sda', { sizeBytes: 0 })]).ok).toBe(false);
    expect(chooseDisk('/dev/sda', [disk('sda', { readOnly: true })]).ok).toBe(false);
  });

  it('takes a disk named by path, loop devices too, but never a removable or mounted one', () => {
    expect(chooseDisk('/dev/loop3', [disk('loop3')])).toEqual({ ok: true, disk: disk('loop3') });
    expect(chooseDisk('/dev/sdb', [disk('sda'), disk('sdb')]).ok).toBe(true);
    const usb = chooseDisk('/dev/sdb', [disk('sdb', { hotplugBus: true })]);
    expect(usb).toEqual({ ok: false, reason: 'sdb is a removable disk' });
    const boot = chooseDisk('/dev/sda', [disk('sda', { inUse: true })]);
    expect(boot.ok).toBe(false);
    expect(chooseDisk('/dev/sdz', [disk('sda')])).toEqual({
      ok: false,
      reason: '/dev/sdz is not a disk on this machine',
    });
  });
});

describe('partitionPath', () => {
  it('adds p before the number when the disk name ends in a digit', () => {
    expect(partitionPath('/dev/sda', 2)).toBe('/dev/sda2');
    expect(partitionPath('vda', 1)).toBe('/dev/vda1');
    expect(partitionPath('/dev/nvme0n1', 1)).toBe('/dev/nvme0n1p1');
    expect(partitionPath('/dev/loop7', 2)).toBe('/dev/loop7p2');
  });
});

describe('listDisks', () => {
  let sys: string;
  beforeEach(async () => {
    sys = await mkdtemp(join(tmpdir(), 'disks-sys-'));
  });
  afterEach(async () => {
    await rm(sys, { recursive: true, force: true });
  });

  async function fakeDisk(name: string, devicePath: string, files: Record<string, string>) {
    const real = join(sys, 'devices', devicePath, name);
    await mkdir(real, { recursive: true });
    for (const [f, v] of Object.entries(files)) {
      await mkdir(join(real, f, '..'), { recursive: true });
      await writeFile(join(real, f), `${v}\n`);
    }
    await mkdir(join(sys, 'block'), { recursive: true });
    await symlink(real, join(sys, 'block', name));
  }

  it('reads size, flags, partitions, the bus and whether a partition is mounted', async () => {
    await fakeDisk('sda', 'pci0000:00/0000:00:1f.2/ata1/host0', {
      dev: '8:0',
      size: '2097152',
      removable: '0',
      ro: '0',
      'sda1/dev': '8:1',
      'sda2/dev': '8:2',
    });
    await fakeDisk('sdb', 'pci0000:00/0000:00:14.0/usb1/1-1/host6', {
      dev: '8:16',
      size: '100',
      removable: '0',
      ro: '0',
    });
    const disks = await listDisks(sys, new Set(['8:2']));
    expect(disks).toEqual([
      disk('sda', { sizeBytes: GIB, inUse: true, partitions: ['sda1', 'sda2'] }),
      disk('sdb', { sizeBytes: 51200, hotplugBus: true }),
    ]);
  });
});
