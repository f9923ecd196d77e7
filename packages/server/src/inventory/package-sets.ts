import type { InstalledPackage } from '@steward/protocol';

function key(p: InstalledPackage): string {
  return `${p.manager}\t${p.name}\t${p.arch}\t${p.version}`;
}

/** base - removed + added. */
export function applyPackageDelta(
  base: readonly InstalledPackage[],
  added: readonly InstalledPackage[],
  removed: readonly InstalledPackage[],
): InstalledPackage[] {
  const map = new Map(base.map((p) => [key(p), p]));
  for (const p of removed) map.delete(key(p));
  for (const p of added) map.set(key(p), p);
  return [...map.values()];
}

export function diffPackages(
  before: readonly InstalledPackage[],
  after: readonly InstalledPackage[],
): { added: InstalledPackage[]; removed: InstalledPackage[] } {
  const b = new Set(before.map(key));
  const a = new Set(after.map(key));
  return {
    added: after.filter((p) => !b.has(key(p))),
    removed: before.filter((p) => !a.has(key(p))),
  };
}
