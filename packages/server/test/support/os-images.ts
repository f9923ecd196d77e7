import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OS_IMAGE_FORMAT, type OsImageManifest } from '@steward/protocol';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * An OS image folder: a small root archived with tar + zstd, and its manifest. `payloadBytes`
 * adds that many random (incompressible) bytes in /var/cache/payload.bin, for transfers of a
 * size that can be counted on the wire.
 */
export function makeImageFolder(dir: string, name: string, payloadBytes = 0): OsImageManifest {
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'home/ada'), { recursive: true });
  writeFileSync(
    join(root, 'etc/os-release'),
    'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
  );
  writeFileSync(join(root, 'home/ada/notes.txt'), `made for ${name}\n`);
  if (payloadBytes > 0) {
    mkdirSync(join(root, 'var/cache'), { recursive: true });
    writeFileSync(join(root, 'var/cache/payload.bin'), randomBytes(payloadBytes));
  }
  const image = join(dir, 'image');
  mkdirSync(image, { recursive: true });
  execFileSync('tar', ['--zstd', '-cf', join(image, 'root.tar.zst'), '-C', root, '.']);
  const bytes = readFileSync(join(image, 'root.tar.zst'));
  const manifest: OsImageManifest = {
    format: OS_IMAGE_FORMAT,
    name,
    source: 'debootstrap',
    os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12', arch: 'amd64' },
    fileSystems: [
      {
        mountpoint: '/',
        type: 'ext4',
        usedBytes: 1 << 20,
        archive: 'root.tar.zst',
        archiveBytes: bytes.length,
        sha256: sha256(bytes),
      },
    ],
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(image, 'os-image.json'), JSON.stringify(manifest));
  return manifest;
}
