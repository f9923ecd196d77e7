/**
 * Real dpkg databases for tests (issue 10): packages built with dpkg-deb and installed by dpkg
 * itself into a sandbox root (`dpkg --root`), holds set with `dpkg --set-selections`. The scan and
 * the site's applicability are checked against what dpkg really wrote, not a hand-made file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb, type TestPackage } from './apt-repo.js';

export interface DpkgSandbox {
  root: string;
  admindir: string;
}

const dpkg = (root: string, args: string[], input?: string) =>
  execFileSync('dpkg', [`--root=${root}`, '--force-not-root', ...args], {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input !== undefined ? { input } : {}),
  });

/** A fresh sandbox root under `dir` with an empty dpkg database. */
export function createDpkgSandbox(dir: string, name: string): DpkgSandbox {
  const root = join(dir, name);
  const admindir = join(root, 'var/lib/dpkg');
  for (const sub of ['info', 'updates', 'triggers'])
    mkdirSync(join(admindir, sub), { recursive: true });
  writeFileSync(join(admindir, 'status'), '');
  writeFileSync(join(admindir, 'available'), '');
  return { root, admindir };
}

/** Builds the packages with dpkg-deb and installs them with dpkg into the sandbox. */
export function installPackages(dir: string, box: DpkgSandbox, packages: TestPackage[]): void {
  if (packages.length === 0) return;
  const pool = mkdtempSync(join(dir, 'debs-'));
  for (const p of packages) buildDeb(pool, p);
  const files = packages.map((p) =>
    join(pool, `${p.name}_${p.version.replace(/^\d+:/, '')}_${p.architecture ?? 'amd64'}.deb`),
  );
  dpkg(box.root, ['--force-script-chrootless', '--force-depends', '-i', ...files]);
}

/** Puts packages on hold (`apt-mark hold` writes the same selection). */
export function holdPackages(box: DpkgSandbox, names: string[]): void {
  dpkg(box.root, ['--set-selections'], names.map((n) => `${n} hold\n`).join(''));
}

/** The sandbox's status file, as dpkg wrote it. */
export function readStatus(box: DpkgSandbox): string {
  return readFileSync(join(box.admindir, 'status'), 'utf8');
}
