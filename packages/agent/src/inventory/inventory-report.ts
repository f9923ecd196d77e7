import { createHash } from 'node:crypto';
import {
  BUILTIN_CLASS_NAMES,
  canonicalJson,
  type InstalledPackage,
  type InventoryInstance,
  type InventoryReportBody,
  type PackageReport,
} from '@steward/protocol';
import { packageLine, packageSetHash, sortPackages } from '@steward/protocol/node';
import { SOFTWARE_FILE_CLASS, type CollectedInventory } from './collect.js';
import type { InventoryState } from './inventory-state.js';

/** Instances in a stable order, so that the hash does not change when only the order does. */
export function canonicalInstances(instances: readonly InventoryInstance[]): InventoryInstance[] {
  return instances
    .map((i) => ({ key: canonicalJson(i), i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.i);
}

export function classHash(instances: readonly InventoryInstance[]): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalInstances(instances)))
    .digest('hex');
}

export interface BuiltReport {
  body: InventoryReportBody;
  /** The state to save once the report is durably in the outbox. */
  nextState: InventoryState;
  changedClasses: string[];
  packageCount: number;
}

function packageReport(
  previous: InventoryState['packages'],
  current: readonly InstalledPackage[],
  full: boolean,
): PackageReport | undefined {
  const hash = packageSetHash(current);
  if (full || previous === undefined) return { kind: 'full', hash, items: sortPackages(current) };
  if (previous.hash === hash) return undefined;
  const before = new Map(previous.items.map((p) => [packageLine(p), p]));
  const after = new Map(current.map((p) => [packageLine(p), p]));
  return {
    kind: 'delta',
    baseHash: previous.hash,
    hash,
    added: sortPackages([...after].filter(([k]) => !before.has(k)).map(([, p]) => p)),
    removed: sortPackages([...before].filter(([k]) => !after.has(k)).map(([, p]) => p)),
  };
}

/**
 * Turns collected inventory into a report against what was last sent. Full: every collected
 * class and the whole package list. Delta: only classes whose hash changed, a package delta
 * against the last package-set hash, and custom classes no longer in policy as removedClasses.
 * Classes that failed or were not collected this time keep their old hash, so they are sent
 * once they can be collected again.
 */
export function buildInventoryReport(
  previous: InventoryState | undefined,
  collected: CollectedInventory,
  options: { kind: 'full' | 'delta'; customClassNames: ReadonlySet<string> },
): BuiltReport {
  const full = options.kind === 'full' || previous === undefined || previous.fullRequired;
  const hashes: Record<string, string> = full ? {} : { ...previous.classHashes };
  const classes: Record<string, InventoryInstance[]> = {};
  const changedClasses: string[] = [];
  for (const [name, instances] of Object.entries(collected.classes)) {
    const hash = classHash(instances);
    if (full || previous.classHashes[name] !== hash) {
      classes[name] = canonicalInstances(instances);
      changedClasses.push(name);
    }
    hashes[name] = hash;
  }
  const removedClasses: string[] = [];
  if (!full) {
    for (const name of Object.keys(hashes)) {
      if (BUILTIN_CLASS_NAMES.has(name) || options.customClassNames.has(name)) continue;
      removedClasses.push(name);
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- `hashes` becomes the next state file, a JSON document
      delete hashes[name];
    }
  }
  let packages: PackageReport | undefined;
  let nextPackages = full ? undefined : previous.packages;
  if (collected.packages !== undefined) {
    packages = packageReport(previous?.packages, collected.packages, full);
    nextPackages = {
      hash: packageSetHash(collected.packages),
      items: sortPackages(collected.packages),
    };
  }
  const body: InventoryReportBody = {
    kind: full ? 'full' : 'delta',
    collectedAt: collected.collectedAt,
    classes,
  };
  if (removedClasses.length > 0) body.removedClasses = removedClasses.sort();
  // A full report replaces everything the site holds, except classes that failed this time.
  const failedClasses = collected.failures.map((f) => f.className).filter((n) => n !== 'package');
  if (full && failedClasses.length > 0) body.failedClasses = [...new Set(failedClasses)].sort();
  if (packages !== undefined) body.packages = packages;
  // Client activity keeps hardware and software inventory apart (the site's ADR 0029).
  const names = Object.keys(collected.classes);
  const hardware = collected.packages !== undefined || names.some((n) => n !== SOFTWARE_FILE_CLASS);
  body.collected = [
    ...(hardware ? (['hardware'] as const) : []),
    ...(collected.softwareScan !== undefined ? (['software'] as const) : []),
  ];
  const nextState: InventoryState = {
    ...(previous ?? {}),
    classHashes: hashes,
    fullRequired: false,
  };
  if (nextPackages === undefined) delete nextState.packages;
  else nextState.packages = nextPackages;
  delete nextState.fullRequiredReason;
  if (full) nextState.lastFullAt = collected.collectedAt;
  return {
    body,
    nextState,
    changedClasses,
    packageCount: collected.packages?.length ?? previous?.packages?.items.length ?? 0,
  };
}
