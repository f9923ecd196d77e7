import {
  StatusMessages,
  type StatusMessageName,
  type InventoryReportBody,
  type PackageReport,
  type StatusMessageBody,
} from '@steward/protocol';
import type { DeviceProfile } from './fleet-model.js';
import type { Rng } from './rng.js';

/**
 * Serialised package reports, one per distinct package set. A full report carries ~600 packages
 * (~40 KB of JSON); serialising it once per image rather than once per device keeps the
 * simulator's CPU for the network, so the figures measure the server.
 */
export class PackageJsonCache {
  private readonly cache = new Map<string, string>();

  constructor(private readonly maxEntries = 256) {}

  fullReport(profile: DeviceProfile): string {
    const hit = this.cache.get(profile.packageHash);
    if (hit !== undefined) return hit;
    const report: PackageReport = {
      kind: 'full',
      hash: profile.packageHash,
      items: profile.packages,
    };
    const json = JSON.stringify(report);
    // Drifted devices have sets of their own: caching them would only evict the shared ones.
    if (!profile.drifted && this.cache.size < this.maxEntries)
      this.cache.set(profile.packageHash, json);
    return json;
  }
}

/** A full inventory report (every class and the whole package list), as an agent's first run. */
export function fullInventoryBody(
  profile: DeviceProfile,
  collectedAt: string,
): InventoryReportBody {
  return {
    kind: 'full',
    collectedAt,
    classes: profile.classes,
    packages: { kind: 'full', hash: profile.packageHash, items: profile.packages },
  };
}

/** The same report as a one-item ReportBatch in JSON, with the package report spliced in from the cache. */
export function inventoryBatchJson(
  seq: number,
  profile: DeviceProfile,
  collectedAt: string,
  cache: PackageJsonCache,
): string {
  const body: Omit<InventoryReportBody, 'packages'> = {
    kind: 'full',
    collectedAt,
    classes: profile.classes,
  };
  const bodyJson = JSON.stringify(body);
  const withPackages = `${bodyJson.slice(0, -1)},"packages":${cache.fullReport(profile)}}`;
  return `{"items":[{"seq":${seq},"type":"inventory:report","body":${withPackages}}]}`;
}

interface MessageShape {
  message: StatusMessageName;
  strings: (rng: Rng, hostname: string) => string[];
  attributes: (rng: Rng) => Record<string, string>;
}

const deployment = (rng: Rng): string => `DEP${String(rng.int(1, 40)).padStart(5, '0')}`;

// A mix like a fleet's everyday traffic: policy and inventory milestones, program runs, updates.
const MESSAGE_MIX: readonly MessageShape[] = [
  { message: 'POLICY_APPLIED', strings: (rng) => [String(rng.int(1, 50))], attributes: () => ({}) },
  {
    message: 'INVENTORY_COLLECTED',
    strings: (rng) => ['delta', String(rng.int(0, 4)), String(rng.int(550, 700))],
    attributes: () => ({}),
  },
  {
    message: 'PROGRAM_RECEIVED',
    strings: (rng) => ['PKG00012', 'install', deployment(rng)],
    attributes: (rng) => ({ deploymentId: deployment(rng), packageId: 'PKG00012' }),
  },
  {
    message: 'PROGRAM_STARTED',
    strings: (rng) => ['PKG00012', 'install', deployment(rng)],
    attributes: (rng) => ({ deploymentId: deployment(rng), packageId: 'PKG00012' }),
  },
  {
    message: 'PROGRAM_SUCCEEDED',
    strings: (rng) => ['PKG00012', 'install', deployment(rng)],
    attributes: (rng) => ({ deploymentId: deployment(rng), packageId: 'PKG00012' }),
  },
  {
    message: 'UPDATE_INSTALLED_NO_RESTART',
    strings: (rng) => [deployment(rng)],
    attributes: (rng) => ({
      deploymentId: deployment(rng),
      updateId: `USN-${rng.int(6000, 7000)}-1`,
    }),
  },
  {
    message: 'AGENT_STARTED',
    strings: (_rng, hostname) => ['0.1.0', hostname],
    attributes: () => ({}),
  },
];

/** One status message built from the protocol catalog (severity, type and component from the entry). */
export function statusMessageBody(rng: Rng, hostname: string, at: string): StatusMessageBody {
  const shape = rng.pick(MESSAGE_MIX);
  const entry = StatusMessages[shape.message];
  return {
    messageId: entry.id,
    severity: entry.severity,
    type: entry.type,
    component: entry.component,
    at,
    insertionStrings: shape.strings(rng, hostname),
    attributes: shape.attributes(rng),
  };
}

/** A ReportBatch of `count` status messages with sequence numbers firstSeq, firstSeq+1, ... */
export function statusBatchJson(
  firstSeq: number,
  count: number,
  rng: Rng,
  hostname: string,
  at: string,
): string {
  const items = Array.from({ length: count }, (_, i) => ({
    seq: firstSeq + i,
    type: 'status:message' as const,
    body: statusMessageBody(rng, hostname, at),
  }));
  return JSON.stringify({ items });
}
