import {
  evaluateCustomUpdate,
  type UpdateComplianceState,
  type UpdateScanResult,
} from '@steward/protocol';
import { installedPackages, type ScanEnvironment } from '../scan/scan.js';
import type { CustomUpdateRules } from './apply.js';
import { machineProbes, type ProbeOptions } from './probes.js';

export interface CustomScanResult extends UpdateScanResult {
  /** The rules' words: why a custom update is Unknown (a command timed out, a file unreadable). */
  details: string[];
}

/**
 * Evaluates custom updates' rules on this machine (ADR 0059): packages from dpkg-query (the same
 * answer the apt scan reads), files and commands directly. Unlike apt updates, not-required ones
 * are reported too: for a custom update that is a decision of its applicability rule, not the
 * mere absence of a package. Updates are evaluated one after another, so at most one rule
 * command runs at a time.
 */
export async function scanCustomUpdates(
  updates: readonly CustomUpdateRules[],
  env: ScanEnvironment,
  opts: Omit<ProbeOptions, 'installed'> = {},
): Promise<CustomScanResult[]> {
  if (updates.length === 0) return [];
  const { packages } = await installedPackages(env);
  const probes = machineProbes({ ...opts, installed: packages });
  const out: CustomScanResult[] = [];
  for (const u of updates) {
    const r = await evaluateCustomUpdate(u, probes);
    const state: UpdateComplianceState = r.state;
    out.push({ updateId: u.id, state, details: r.details });
  }
  return out;
}
