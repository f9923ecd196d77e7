/**
 * Driver packages for tests (issue 11): kernel modules compiled by gcc as real ELF relocatable
 * objects whose `.modinfo` section holds the given fields (the same section a kernel build writes),
 * optionally xz-compressed as Debian's newer kernels ship them, plus firmware files, packed into a
 * real .deb by dpkg-deb.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestModule {
  /** Path inside the package, e.g. `lib/modules/6.1.0-18-amd64/kernel/drivers/net/e1000e.ko`. */
  path: string;
  /** `.modinfo` fields in order: [['alias', 'pci:v00008086d000010D3sv*sd*bc*sc*i*'], ...]. */
  modinfo: [string, string][];
  /** Compress with xz (the file name gets `.xz`). */
  xz?: boolean;
}

/** A relocatable ELF object whose .modinfo section holds `fields`, built by the system gcc. */
export function buildModuleObject(fields: readonly [string, string][]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'steward-ko-'));
  try {
    const lines = fields.map(
      ([k, v], i) =>
        `static const char f${i}[] __attribute__((section(".modinfo"), used, aligned(1))) = ${JSON.stringify(`${k}=${v}`)};`,
    );
    writeFileSync(join(dir, 'm.c'), lines.join('\n') + '\nint steward_test_module;\n');
    execFileSync('gcc', ['-c', join(dir, 'm.c'), '-o', join(dir, 'm.ko')], { stdio: 'pipe' });
    return readFileSync(join(dir, 'm.ko'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds `<name>_<version>_<arch>.deb` in `outDir` and returns its path. */
export function buildDriverPackage(
  outDir: string,
  opts: {
    name: string;
    version: string;
    architecture?: string;
    description?: string;
    modules?: TestModule[];
    /** Paths under the package root (`lib/firmware/e1000e/fw.bin`) and their bytes. */
    firmware?: Record<string, string>;
  },
): string {
  const arch = opts.architecture ?? 'amd64';
  const root = mkdtempSync(join(tmpdir(), 'steward-driver-root-'));
  try {
    mkdirSync(join(root, 'DEBIAN'));
    writeFileSync(
      join(root, 'DEBIAN', 'control'),
      [
        `Package: ${opts.name}`,
        `Version: ${opts.version}`,
        `Architecture: ${arch}`,
        'Maintainer: Steward Tests <tests@steward.invalid>',
        `Description: ${opts.description ?? 'test driver package'}`,
        '',
      ].join('\n'),
    );
    for (const m of opts.modules ?? []) {
      const file = join(root, m.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, buildModuleObject(m.modinfo));
      if (m.xz) execFileSync('xz', ['-z', file], { stdio: 'pipe' });
    }
    for (const [path, text] of Object.entries(opts.firmware ?? {})) {
      const file = join(root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const out = join(outDir, `${opts.name}_${opts.version}_${arch}.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-b', root, out], { stdio: 'pipe' });
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
