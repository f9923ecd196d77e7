import {
  BUILTIN_CLASS_NAMES,
  type CustomClassDefinition,
  type InstalledPackage,
  type InventoryInstance,
} from '@steward/protocol';
import { collectCustomClass } from '../collectors/custom/custom-class.js';
import { collectorsFor } from '../collectors/registry.js';
import { DEFAULT_MAX_SOFTWARE_FILES, scanSoftwareFiles } from '../collectors/software-files.js';
import type { CollectContext } from '../collectors/types.js';
import { errorMessage } from '../errors.js';

export const SOFTWARE_FILE_CLASS = 'softwareFile';
export const PACKAGE_CLASS = 'package';

export interface CollectOptions {
  /** Custom classes from policy. */
  customClasses?: readonly CustomClassDefinition[];
  softwareScanPaths?: readonly string[];
  /** Run the software file scan (it has its own, longer schedule). Default true. */
  includeSoftwareScan?: boolean;
  /** Collect only these classes (built-in, custom, or `package`). Default: all. */
  only?: readonly string[];
  startedAt?: Date;
  maxSoftwareFiles?: number;
  platform?: NodeJS.Platform;
  /** Root of the file system the sysfs/procfs collectors read (tests point it at a fixture tree). */
  root?: string;
}

export interface CollectorFailure {
  className: string;
  custom: boolean;
  error: string;
}

/** Part of a class could not be read; the class was still collected. */
export interface PartialCollection {
  className: string;
  reason: string;
}

export interface CollectedInventory {
  collectedAt: string;
  /** Instances per class, for the classes that were collected successfully. */
  classes: Record<string, InventoryInstance[]>;
  /** Installed packages; `undefined` when not collected or a package manager failed. */
  packages: InstalledPackage[] | undefined;
  failures: CollectorFailure[];
  /** Why some classes are incomplete (root-only attributes, absent /sys trees). */
  partial: PartialCollection[];
  softwareScan?: { paths: readonly string[]; files: number; truncated: boolean };
}

const PROCESS_STARTED_AT = new Date();
const COLLECTOR_CONCURRENCY = 4;

/** `fn` over `items` with at most `limit` running at once; results in the order of `items`. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) out[i] = await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Collects inventory on this machine: every built-in collector for the platform, the package
 * managers, and the custom classes. One collector failing never fails the run: it is listed in
 * `failures` (status INVENTORY_COLLECTOR_FAILED or CUSTOM_CLASS_FAILED) and its class is left out.
 */
export async function collectInventory(options: CollectOptions = {}): Promise<CollectedInventory> {
  const platform = collectorsFor(options.platform);
  const wanted = options.only === undefined ? undefined : new Set(options.only);
  const want = (name: string): boolean => wanted === undefined || wanted.has(name);
  const ctx: CollectContext = {
    startedAt: options.startedAt ?? PROCESS_STARTED_AT,
    softwareScanPaths: options.softwareScanPaths ?? [],
    maxSoftwareFiles: options.maxSoftwareFiles ?? DEFAULT_MAX_SOFTWARE_FILES,
  };
  const result: CollectedInventory = {
    collectedAt: new Date().toISOString(),
    classes: {},
    packages: undefined,
    failures: [],
    partial: [],
  };
  if (options.root !== undefined) ctx.root = options.root;
  ctx.notePartial = (className, reason) => result.partial.push({ className, reason });

  // Collectors run a few at a time: most of a full inventory is spent waiting for systemctl,
  // dpkg-query, who and systemd-detect-virt, and one at a time added those waits up (1.6 s here
  // for what takes 0.6 s overlapped). Results are stored in registry order all the same.
  type Outcome = { name: string; instances: InventoryInstance[] } | { name: string; error: string };
  const outcomes = await mapLimited(
    platform.classes,
    COLLECTOR_CONCURRENCY,
    async (collector): Promise<Outcome | undefined> => {
      const name = collector.className;
      if (!want(name)) return undefined;
      if (name === SOFTWARE_FILE_CLASS) {
        if (options.includeSoftwareScan === false) return undefined;
        try {
          const scan = await scanSoftwareFiles(ctx.softwareScanPaths, ctx.maxSoftwareFiles);
          result.softwareScan = {
            paths: ctx.softwareScanPaths,
            files: scan.files.length,
            truncated: scan.truncated,
          };
          return { name, instances: scan.files };
        } catch (err) {
          return { name, error: errorMessage(err) };
        }
      }
      try {
        return { name, instances: await collector.collect(ctx) };
      } catch (err) {
        return { name, error: errorMessage(err) };
      }
    },
  );
  for (const outcome of outcomes) {
    if (outcome === undefined) continue;
    if ('error' in outcome)
      result.failures.push({ className: outcome.name, custom: false, error: outcome.error });
    else result.classes[outcome.name] = outcome.instances;
  }

  if (want(PACKAGE_CLASS)) {
    const packages: InstalledPackage[] = [];
    let failed = false;
    for (const source of platform.packages) {
      try {
        if (await source.available()) packages.push(...(await source.list()));
      } catch (err) {
        failed = true;
        result.failures.push({
          className: PACKAGE_CLASS,
          custom: false,
          error: `${source.manager}: ${errorMessage(err)}`,
        });
      }
    }
    // A partial list would look like mass uninstallation to the site: report none instead.
    result.packages = failed ? undefined : packages;
  }

  for (const def of options.customClasses ?? []) {
    if (!want(def.name)) continue;
    if (BUILTIN_CLASS_NAMES.has(def.name)) {
      result.failures.push({
        className: def.name,
        custom: true,
        error: 'the name belongs to a built-in class',
      });
      continue;
    }
    try {
      result.classes[def.name] = await collectCustomClass(def);
    } catch (err) {
      result.failures.push({ className: def.name, custom: true, error: errorMessage(err) });
    }
  }
  return result;
}
