import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  evaluateCatalog,
  packageKey,
  parseDpkgStatus,
  type DpkgPackage,
  type ScanCatalogUpdate,
  type UpdateScanResult,
} from '@steward/protocol';
import { runCommand } from '../../collectors/system.js';

export interface ScanEnvironment {
  /** dpkg's admin directory (`/var/lib/dpkg`, or a sandbox's `--admindir`). */
  admindir: string;
  /** `apt-cache` to ask for candidates (pinning); absent: pinning is not looked at. */
  aptCache?: string;
  /** Extra apt options (`-o Dir=...` for a sandbox root). */
  aptOptions?: readonly string[];
}

/** When dpkg last wrote the package's file list: the time it was installed or upgraded. */
function installedAtOf(admindir: string): (pkg: DpkgPackage) => string | undefined {
  return (pkg) => {
    for (const name of [`${pkg.name}:${pkg.arch}.list`, `${pkg.name}.list`]) {
      try {
        return statSync(join(admindir, 'info', name)).mtime.toISOString();
      } catch {
        // Not this spelling (multi-arch packages carry their architecture).
      }
    }
    return undefined;
  };
}

/** Parses `apt-cache policy` output into candidates by `name` and `name:arch`. */
export function parseAptPolicy(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current = '';
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head?.[1]) {
      current = head[1];
      continue;
    }
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (candidate?.[1] && current && candidate[1] !== '(none)') out.set(current, candidate[1]);
  }
  return out;
}

async function candidates(env: ScanEnvironment, names: string[]): Promise<Map<string, string>> {
  if (!env.aptCache || names.length === 0) return new Map();
  const r = await runCommand(env.aptCache, [...(env.aptOptions ?? []), 'policy', ...names], {
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  // apt-cache failing (no lists yet) says nothing about pinning: the update stays plain required.
  return r.exitCode === 0 ? parseAptPolicy(r.stdout) : new Map();
}

/**
 * Scans the machine against the catalog: reads dpkg's status file, evaluates every update with
 * dpkg's version order, then asks apt (once, for the required packages only) whether pinning
 * keeps any of them back. Throws when dpkg's status cannot be read: the scan failed.
 */
export async function scanInstalled(
  catalog: readonly ScanCatalogUpdate[],
  env: ScanEnvironment,
): Promise<UpdateScanResult[]> {
  const installed = parseDpkgStatus(await readFile(join(env.admindir, 'status'), 'utf8'));
  const atOf = installedAtOf(env.admindir);
  const first = evaluateCatalog(catalog, installed, { installedAtOf: atOf });
  const requiredIds = new Set(
    first.filter((r) => r.state === 'required' && r.hold === undefined).map((r) => r.updateId),
  );
  if (requiredIds.size === 0 || !env.aptCache) return first;
  const names = new Set<string>();
  const requiredUpdates = catalog.filter((u) => requiredIds.has(u.id));
  for (const u of requiredUpdates)
    for (const [name, arch] of u.binaries) {
      const pkg = installed.get(packageKey(name, arch));
      if (pkg) names.add(`${name}:${arch}`);
    }
  const policy = await candidates(env, [...names]);
  const again = evaluateCatalog(requiredUpdates, installed, {
    candidateOf: (name, arch) => policy.get(`${name}:${arch}`) ?? policy.get(name),
  });
  const byId = new Map(again.map((r) => [r.updateId, r]));
  return first.map((r) => byId.get(r.updateId) ?? r);
}
