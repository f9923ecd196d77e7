import type { InstalledPackage, InventoryInstance } from '@steward/protocol';

export interface CollectContext {
  /** When this agent process started (the `agent` class reports it). */
  startedAt: Date;
  /** Directories the software file scan walks. */
  softwareScanPaths: readonly string[];
  /** Upper bound on files the scan reports. */
  maxSoftwareFiles: number;
  /**
   * Root of the file system the sysfs/procfs collectors read: `/` on a machine, a fixture tree
   * in tests. Default `/`.
   */
  root?: string;
  /**
   * Records why part of a class could not be read (a root-only attribute, a missing /sys tree);
   * the agent reports it as status INVENTORY_CLASS_PARTIAL with a full report.
   */
  notePartial?: (className: string, reason: string) => void;
}

/** Collects the instances of one inventory class on this platform. */
export interface ClassCollector {
  className: string;
  collect(ctx: CollectContext): Promise<InventoryInstance[]>;
}

/** A package manager whose installed packages feed the `package` class. */
export interface PackageSource {
  manager: InstalledPackage['manager'];
  /** False when the manager is not installed on this machine (not an error). */
  available(): Promise<boolean>;
  list(): Promise<InstalledPackage[]>;
}

export interface PlatformCollectors {
  platform: NodeJS.Platform;
  classes: readonly ClassCollector[];
  packages: readonly PackageSource[];
}
