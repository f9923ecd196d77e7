/**
 * Reads files of the system installed on a VM's raw disk, from this machine, once its QEMU has
 * ended: the disk is attached as a loop device and its root partition (the ext4 one holding
 * /etc/os-release) mounted read-only. The mount replays the journal of a machine that was
 * powered off without a shutdown, so what the guest wrote is seen.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** The files `paths` (relative to the root) of the installed system; null when absent. */
export function readInstalledFiles(
  disk: string,
  paths: readonly string[],
): Record<string, string | null> {
  const loop = execFileSync('losetup', ['-f', '--show', '-P', disk], { encoding: 'utf8' }).trim();
  const mnt = mkdtempSync(join(tmpdir(), 'installed-root-'));
  try {
    // The partitions' nodes can lag behind `losetup -P`: partx adds any that are missing (it
    // fails on the ones already there, which is fine).
    spawnSync('partx', ['-a', loop], { stdio: 'ignore' });
    const name = basename(loop);
    const parts = readdirSync(join('/sys/block', name))
      .filter((entry) => entry.startsWith(`${name}p`))
      .map((entry) => `/dev/${entry}`)
      .filter(
        (dev) =>
          spawnSync('blkid', ['-p', '-s', 'TYPE', '-o', 'value', dev], {
            encoding: 'utf8',
          }).stdout.trim() === 'ext4',
      );
    for (const part of parts) {
      execFileSync('mount', ['-o', 'ro', part, mnt]);
      try {
        if (!existsSync(join(mnt, 'etc/os-release'))) continue;
        return Object.fromEntries(
          paths.map((p) => {
            const file = join(mnt, p);
            return [p, existsSync(file) ? readFileSync(file, 'utf8') : null];
          }),
        );
      } finally {
        execFileSync('umount', [mnt]);
      }
    }
    throw new Error(`${disk}: no ext4 partition holds an installed system (${parts.join(' ')})`);
  } finally {
    spawnSync('losetup', ['-d', loop]);
    rmSync(mnt, { recursive: true, force: true });
  }
}
