import { chownSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
