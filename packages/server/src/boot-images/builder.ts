import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Runs the boot image build scripts (packages/server/assets/boot-image, ADR 0065). The slow
 * phase (debootstrap of the deployment tools and the kernel) is cached by a hash of its recipe:
 * the script's bytes, the mirror, suite, architecture and package lists; the fast phase
 * (assemble: Node.js, the agent, the boot configuration, drivers, files, the cpio) runs for
 * every image.
 */

const ASSETS = fileURLToPath(new URL('../../assets/boot-image/', import.meta.url));
export const ROOT_SCRIPT = join(ASSETS, 'boot-image-root.sh');
export const ASSEMBLE_SCRIPT = join(ASSETS, 'boot-image-assemble.sh');

/**
 * What every boot image carries: udev and kmod (hardware, modules), a DHCP client and iproute2
 * (network), curl and CA certificates (downloads), fdisk (sfdisk) and parted (partitioning),
 * e2fsprogs and dosfstools (file systems, the EFI system partition), zstd, xz and tar (images),
 * procps, and udpcast (udp-receiver: OS images by multicast from a DP, ADR 0088).
 */
export const BOOT_IMAGE_PACKAGES = [
  'udev',
  'kmod',
  'isc-dhcp-client',
  'iproute2',
  'curl',
  'ca-certificates',
  'fdisk',
  'parted',
  'e2fsprogs',
  'dosfstools',
  'zstd',
  'xz-utils',
  'procps',
  'udpcast',
] as const;

export interface RootRecipe {
  mirror: string;
  suite: string;
  arch: 'amd64' | 'arm64';
  extraPackages: readonly string[];
}

/** The cache key of a root: the script and every input that changes its bytes. */
export function rootRecipeKey(recipe: RootRecipe): string {
  const h = createHash('sha256');
  h.update(readFileSync(ROOT_SCRIPT));
  h.update(
    JSON.stringify({
      mirror: recipe.mirror,
      suite: recipe.suite,
      arch: recipe.arch,
      packages: BOOT_IMAGE_PACKAGES,
      extra: [...recipe.extraPackages].sort(),
    }),
  );
  return h.digest('hex').slice(0, 24);
}

export type ProgressFn = (percent: number, text: string) => void;

/** Runs a build script, passing its `@@progress` lines on and keeping its output's tail. */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  onProgress: ProgressFn,
): Promise<void> {
  const child = spawn('bash', [script, ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let pending = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    keep(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^@@progress (\d+) (.*)$/.exec(line);
      if (m) onProgress(Number(m[1]), m[2] ?? '');
    }
  });
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${script} exited ${String(code)}: ${tail.trim().slice(-2000)}`)),
    );
  });
}

/**
 * The cached root archive for `recipe`, built first when the cache has none. Built into a
 * private name and renamed into place only when complete, so a failed or concurrent build never
 * leaves a half-written root that a later build would take.
 */
export async function cachedRoot(
  cacheDir: string,
  recipe: RootRecipe,
  onProgress: ProgressFn,
): Promise<{ path: string; key: string; built: boolean }> {
  mkdirSync(cacheDir, { recursive: true });
  const key = rootRecipeKey(recipe);
  const path = join(cacheDir, `root-${recipe.arch}-${key}.tar`);
  if (existsSync(path)) return { path, key, built: false };
  const partial = join(cacheDir, `building-${key}-${randomBytes(4).toString('hex')}.tar`);
  try {
    await runScript(
      ROOT_SCRIPT,
      [partial],
      {
        MIRROR: recipe.mirror,
        SUITE: recipe.suite,
        ARCH: recipe.arch,
        PACKAGES: BOOT_IMAGE_PACKAGES.join(','),
        EXTRA_PACKAGES: recipe.extraPackages.join(','),
      },
      onProgress,
    );
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  return { path, key, built: true };
}
