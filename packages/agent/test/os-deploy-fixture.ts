import { execFileSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { OS_IMAGE_FORMAT, OS_IMAGE_MANIFEST_FILE, type OsImageManifest } from '@steward/protocol';
import { archiveFileSystem } from '../src/os-deploy/capture-step.js';
import type { LocalOsImage } from '../src/os-deploy/host.js';

/** The OS deployment tests partition loop devices: root and /dev/loop-control needed. */
export function canUseLoopDevices(): boolean {
  return process.getuid?.() === 0 && existsSync('/dev/loop-control');
}

/** A tiny "installed system": identity files to generalise, a user's files with owners. */
export function makeReferenceRoot(root: string): void {
  for (const d of [
    'etc/ssh',
    'usr/sbin',
    'sbin',
    'home/ada',
    'var/lib/steward-agent',
    'var/lib/dhcp',
  ])
    mkdirSync(join(root, d), { recursive: true });
  writeFileSync(
    join(root, 'etc/os-release'),
    'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
  );
  writeFileSync(join(root, 'etc/machine-id'), 'b08dfa6083e7567a1921a715000001fb\n');
  writeFileSync(join(root, 'etc/hostname'), 'reference\n');
  writeFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key'), 'PRIVATE\n', { mode: 0o600 });
  writeFileSync(join(root, 'usr/sbin/sshd'), '', { mode: 0o755 });
  writeFileSync(join(root, 'sbin/ifup'), '', { mode: 0o755 });
  writeFileSync(join(root, 'var/lib/steward-agent/device.json'), '{"deviceId":"old"}\n');
  writeFileSync(join(root, 'var/lib/dhcp/dhclient.eth0.leases'), 'lease {}\n');
  writeFileSync(join(root, 'home/ada/notes.txt'), 'hello\n', { mode: 0o640 });
  chownSync(join(root, 'home/ada/notes.txt'), 1000, 1000);
  chownSync(join(root, 'home/ada'), 1000, 1000);
  symlinkSync('notes.txt', join(root, 'home/ada/link'));
}

/** A test OS image (manifest and root.tar.zst in `imageDir`) of `makeReferenceRoot`. */
export async function makeTestOsImage(refDir: string, imageDir: string): Promise<LocalOsImage> {
  makeReferenceRoot(refDir);
  mkdirSync(imageDir, { recursive: true });
  const signal = new AbortController().signal;
  const archive = await archiveFileSystem(refDir, join(imageDir, 'root.tar.zst'), { signal });
  const manifest: OsImageManifest = {
    format: OS_IMAGE_FORMAT,
    name: 'Test Debian',
    source: 'debootstrap',
    os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12', arch: 'amd64' },
    fileSystems: [
      { mountpoint: '/', type: 'ext4', usedBytes: 1 << 20, archive: 'root.tar.zst', ...archive },
    ],
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(imageDir, OS_IMAGE_MANIFEST_FILE), JSON.stringify(manifest));
  return { manifest, dir: imageDir };
}

/** Programs dpkg needs in a root to install a package there, and depmod (kmod). */
const DPKG_PROGRAMS = [
  '/usr/bin/dpkg',
  '/usr/bin/dpkg-deb',
  '/usr/bin/dpkg-query',
  '/usr/bin/dpkg-split',
  '/usr/bin/dash',
  '/usr/bin/rm',
  '/usr/bin/tar',
  '/usr/bin/diff',
  '/usr/sbin/ldconfig',
  '/usr/sbin/start-stop-daemon',
  '/usr/bin/kmod',
];

/** Whether this machine has the programs `makeDpkgRoot` copies (kmod is not always installed). */
export function canMakeDpkgRoot(): boolean {
  return DPKG_PROGRAMS.every((p) => existsSync(p));
}

/**
 * An "applied system" a driver step can install into: this machine's own dpkg, dpkg-deb, sh
 * and depmod (kmod) with the libraries they load (as ldd lists them), a usr-merged layout, an
 * empty dpkg database and a kernel's module folder, so `chroot ROOT dpkg -i` and `depmod` are
 * the real programs working on the root's own database and module tree.
 */
export function makeDpkgRoot(root: string, kernelRelease: string): void {
  for (const d of [
    'usr/bin',
    'usr/sbin',
    'usr/lib/x86_64-linux-gnu',
    'usr/lib64',
    'var/lib/dpkg/info',
    'var/lib/dpkg/updates',
    'etc',
    'tmp',
    'dev',
    'proc',
    'sys',
    'run',
    `usr/lib/modules/${kernelRelease}`,
  ])
    mkdirSync(join(root, d), { recursive: true });
  for (const [link, to] of [
    ['bin', 'usr/bin'],
    ['sbin', 'usr/sbin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
    ['usr/bin/sh', 'dash'],
    ['usr/sbin/depmod', '../bin/kmod'],
  ] as const)
    symlinkSync(to, join(root, link));
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  for (const program of DPKG_PROGRAMS) {
    copyFileSync(program, join(root, program));
    const libs = execFileSync('ldd', [program], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
    for (const lib of libs) {
      const dest = lib.startsWith('/lib64/')
        ? join(root, 'usr/lib64', basename(lib))
        : join(root, 'usr/lib/x86_64-linux-gnu', basename(lib));
      if (!existsSync(dest)) copyFileSync(realpathSync(lib), dest);
    }
  }
}
