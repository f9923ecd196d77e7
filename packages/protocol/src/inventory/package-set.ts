import { createHash } from 'node:crypto';
import type { InstalledPackage } from './schemas.js';

export function packageLine(p: InstalledPackage): string {
  return `${p.manager}\t${p.name}\t${p.arch}\t${p.version}`;
}

/** Sorts packages into the canonical order used for hashing and storage. */
export function sortPackages(packages: readonly InstalledPackage[]): InstalledPackage[] {
  return [...packages].sort((a, b) => {
    const x = packageLine(a);
    const y = packageLine(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Content address of a package set: SHA-256 of the sorted, de-duplicated package lines. Agent
 * and server compute it the same way, so a delta names the set it applies to.
 */
export function packageSetHash(packages: readonly InstalledPackage[]): string {
  const lines = [...new Set(packages.map(packageLine))].sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l + '\n');
  return h.digest('hex');
}
