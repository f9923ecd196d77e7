/**
 * The default OS image (ADR 0077) for VM tests, built once per recipe by the site's own
 * os-image-build.sh into the VM cache, from this machine's Debian mirror (its apt sources) or
 * STEWARD_VM_MIRROR.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CachedBuild, cachedBuild } from './vm.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = join(REPO, 'packages/server/assets/os-image/os-image-build.sh');

/** The Debian mirror this machine's apt uses (deb822 sources first, then sources.list). */
export function machineMirror(): string | undefined {
  if (process.env['STEWARD_VM_MIRROR']) return process.env['STEWARD_VM_MIRROR'];
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(text) ?? /^deb\s+(\S+\/debian)\s/m.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

export async function defaultOsImage(log: (line: string) => void): Promise<CachedBuild> {
  const mirror = machineMirror();
  if (mirror === undefined) throw new Error('no Debian mirror (set STEWARD_VM_MIRROR)');
  const key = createHash('sha256')
    .update(readFileSync(SCRIPT))
    .update(`bookworm amd64 ${mirror}`)
    .digest('hex')
    .slice(0, 16);
  return cachedBuild({
    name: 'os-image-bookworm',
    key,
    readyFile: 'os-image.json',
    script: SCRIPT,
    env: { MIRROR: mirror, SUITE: 'bookworm', NAME: 'Debian 12' },
    log,
  });
}

/**
 * What the default OS image installs (os-image-build.sh for amd64), so a repository of another
 * release holds everything a machine installed from it upgrades to.
 */
const DEFAULT_IMAGE_PACKAGES =
  'systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,grub2-common,' +
  'grub-pc-bin,grub-efi-amd64-bin,grub-pc,ifupdown,isc-dhcp-client,openssh-server,' +
  'ca-certificates,iproute2,procps,less';

/**
 * A local signed apt repository of `suite` (release-repo.sh), built once per recipe into the VM
 * cache from this machine's mirror: what a VM upgrades to without reaching the Internet.
 */
export async function releaseRepository(
  suite: string,
  version: string,
  log: (line: string) => void,
): Promise<CachedBuild> {
  const mirror = machineMirror();
  if (mirror === undefined) throw new Error('no Debian mirror (set STEWARD_VM_MIRROR)');
  const script = join(REPO, 'test-support/vm/release-repo.sh');
  const key = createHash('sha256')
    .update(readFileSync(script))
    .update(`${suite} ${version} amd64 ${mirror} ${DEFAULT_IMAGE_PACKAGES}`)
    .digest('hex')
    .slice(0, 16);
  return cachedBuild({
    name: `apt-${suite}`,
    key,
    readyFile: 'repo.json',
    script,
    env: { MIRROR: mirror, SUITE: suite, VERSION: version, PACKAGES: DEFAULT_IMAGE_PACKAGES },
    log,
  });
}
