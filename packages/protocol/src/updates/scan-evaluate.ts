import { compareDebianVersions } from '../common/version.js';
import { packageKey, type DpkgPackage } from './dpkg-status.js';
import type { ScanCatalogUpdate, UpdateScanResult } from './scan-schemas.js';

/** What apt would install for a package now (`apt-cache policy`'s Candidate), when known. */
export type CandidateOf = (name: string, arch: string) => string | undefined;

/** When a package was installed (dpkg's info file mtime, dpkg.log), when known. */
export type InstalledAtOf = (pkg: DpkgPackage) => string | undefined;

export interface EvaluateOptions {
  candidateOf?: CandidateOf;
  installedAtOf?: InstalledAtOf;
}

/**
 * Evaluates one update against the installed packages, with dpkg's exact version order. The
 * SAME rule as the site's applicability SQL (server updates/compliance/applicability-repository.ts), so the
 * two answers agree:
 * - none of the update's binaries is installed (same name and architecture): not required;
 * - an installed binary is older than the update's: required (held when that package is on
 *   hold, pinned when apt's candidate is older than the update: apt would not install it);
 * - otherwise every installed binary is at or above the update: installed.
 * A binary caught half-way (unpacked, half-configured) makes the answer unknown.
 */
export function evaluateUpdate(
  update: ScanCatalogUpdate,
  installed: ReadonlyMap<string, DpkgPackage>,
  opts: EvaluateOptions = {},
): UpdateScanResult | undefined {
  let found = false;
  let unknown = false;
  let hold: UpdateScanResult['hold'];
  let required = false;
  let installedAt: string | undefined;
  for (const [name, arch, version] of update.binaries) {
    const pkg = installed.get(packageKey(name, arch));
    if (!pkg) continue;
    found = true;
    if (pkg.state !== 'installed') {
      unknown = true;
      continue;
    }
    if (compareDebianVersions(pkg.version, version) < 0) {
      required = true;
      if (pkg.held) hold = 'held';
      else if (hold === undefined) {
        const candidate = opts.candidateOf?.(name, arch);
        if (candidate !== undefined && compareDebianVersions(candidate, version) < 0)
          hold = 'pinned';
      }
    } else {
      const at = opts.installedAtOf?.(pkg);
      if (at !== undefined && (installedAt === undefined || at > installedAt)) installedAt = at;
    }
  }
  if (!found) return undefined;
  if (unknown && !required) return { updateId: update.id, state: 'unknown' };
  if (required)
    return { updateId: update.id, state: 'required', ...(hold !== undefined ? { hold } : {}) };
  return {
    updateId: update.id,
    state: 'installed',
    ...(installedAt !== undefined ? { installedAt } : {}),
  };
}

/** Every update's result; not-required updates are left out (ADR 0046). */
export function evaluateCatalog(
  updates: Iterable<ScanCatalogUpdate>,
  installed: ReadonlyMap<string, DpkgPackage>,
  opts: EvaluateOptions = {},
): UpdateScanResult[] {
  const out: UpdateScanResult[] = [];
  for (const u of updates) {
    const r = evaluateUpdate(u, installed, opts);
    if (r) out.push(r);
  }
  return out;
}
