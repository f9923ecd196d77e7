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

  for (const collector of platform.classes) {
    const name = collector.className;
    if (!want(name)) continue;
    if (name === SOFTWARE_FILE_CLASS) {
      if (options.includeSoftwareScan === false) continue;
      try {
        const scan = await scanSoftwareFiles(ctx.softwareScanPaths, ctx.maxSoftwareFiles);
        result.classes[name] = scan.files;
        result.softwareScan = {
          paths: ctx.softwareScanPaths,
          files: scan.files.length,
          truncated: scan.truncated,
        };
      } catch (err) {
        result.failures.push({ className: name, custom: false, error: errorMessage(err) });
      }
      continue;
    }
    try {
      result.classes[name] = await collector.collect(ctx);
    } catch (err) {
      result.failures.push({ className: name, custom: false, error: errorMessage(err) });
    }
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
