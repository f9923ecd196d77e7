import {
  evaluateCatalog,
  packageKey,
  type DpkgPackage,
  type ScanCatalogUpdate,
  type UpdateScanResult,
} from '@steward/protocol/scan';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../collectors/system.js';

export interface ScanEnvironment {
  /** `dpkg-query` to ask what is installed. */
  dpkgQuery: string;
  /** A sandbox's dpkg admin directory (tests); the system's own when absent. */
  admindir?: string;
  /** `apt-cache` to ask for candidates (pinning); absent: pinning is not looked at. */
  aptCache?: string;
  /**
   * `apt-config`, to find apt's preferences and default release: apt-cache is then asked only
   * about packages something could pin (ADR 0064); absent: about every required package.
   */
  aptConfig?: string;
  /** Extra apt options (`-o Dir=...` for a sandbox root). */
  aptOptions?: readonly string[];
}

/**
 * What dpkg-query prints per package: name, architecture, version, "want error state" and when
 * dpkg last wrote the package's file list (seconds; the install or upgrade time). dpkg's database
 * is dpkg's own (Debian policy: read it through dpkg-query, never the files).
 */
const QUERY_FORMAT =
  '${Package}\t${Architecture}\t${Version}\t${Status}\t${db-fsys:Last-Modified}\n';

export interface InstalledPackages {
  packages: Map<string, DpkgPackage>;
  installedAt: Map<string, string>;
}

/** Parses dpkg-query's lines (QUERY_FORMAT); packages not installed are left out. */
export function parseDpkgQuery(text: string): InstalledPackages {
  const packages = new Map<string, DpkgPackage>();
  const installedAt = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [name, arch, version, status, modified] = line.split('\t');
    if (!name || !arch || !version || !status) continue;
    // "Status: <want> <error flag> <state>", e.g. "hold ok installed".
    const [want, , state] = status.split(' ');
    if (state === undefined || state === 'not-installed' || state === 'config-files') continue;
    const key = packageKey(name, arch);
    packages.set(key, { name, arch, version, state, held: want === 'hold' });
    const seconds = Number(modified);
    if (modified && Number.isFinite(seconds) && seconds > 0)
      installedAt.set(key, new Date(seconds * 1000).toISOString());
  }
  return { packages, installedAt };
}

export async function installedPackages(env: ScanEnvironment): Promise<InstalledPackages> {
  const r = await runCommand(
    env.dpkgQuery,
    [...(env.admindir ? [`--admindir=${env.admindir}`] : []), '-W', '-f', QUERY_FORMAT],
    { timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 },
  );
  if (r.exitCode !== 0)
    throw new Error(`dpkg-query failed (exit ${String(r.exitCode)}): ${r.stderr.slice(0, 500)}`);
  const installed = parseDpkgQuery(r.stdout);
  // dpkg-query answers an empty or missing database with nothing and exit 0; a Debian system
  // always has packages installed, so nothing means the database was not read: the scan failed
  // (never "not required" for everything).
  if (installed.packages.size === 0)
    throw new Error('dpkg-query reported no installed package: the dpkg database was not read');
  return installed;
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

/** What apt's configuration can pin: every package, or only the ones preferences name. */
export type PinScope = 'all' | Set<string>;

/**
 * The packages named by apt preferences stanzas (`Package: a b:amd64 ...`). A pattern (glob,
 * regex, `src:`) or anything not understood counts as "could pin everything": the caller then
 * asks apt about every package, as before.
 */
export function parsePreferences(text: string): PinScope {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^Package:\s*(.*)$/i.exec(line);
    if (!m) continue;
    for (const word of (m[1] ?? '').trim().split(/\s+/).filter(Boolean)) {
      if (!/^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/.test(word)) return 'all';
      names.add(word.replace(/:.*$/, ''));
    }
  }
  return names;
}

/** apt's preferences files: the main file and the parts apt reads (no extension or .pref). */
async function preferenceTexts(file: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const main = await readFile(file, 'utf8').catch(() => undefined);
  if (main !== undefined) out.push(main);
  const parts: string[] = await readdir(dir).catch(() => []);
  for (const f of parts.sort())
    if (/^[A-Za-z0-9_.-]+$/.test(f) && (!f.includes('.') || f.endsWith('.pref'))) {
      const t = await readFile(join(dir, f), 'utf8').catch(() => undefined);
      if (t !== undefined) out.push(t);
    }
  return out;
}

/**
 * What apt's configuration can pin, from apt-config (cheap: it builds no package cache, which
 * apt-cache does at every call on systems that keep none). A default release pins everything.
 */
export async function pinScope(env: ScanEnvironment): Promise<PinScope> {
  if (!env.aptConfig) return 'all';
  const r = await runCommand(
    env.aptConfig,
    [
      ...(env.aptOptions ?? []),
      'shell',
      'P',
      'Dir::Etc::preferences/f',
      'PP',
      'Dir::Etc::preferencesparts/d',
      'R',
      'APT::Default-Release',
    ],
    { timeoutMs: 60_000, maxOutputBytes: 1024 * 1024 },
  );
  if (r.exitCode !== 0) return 'all';
  const vars = new Map<string, string>();
  for (const m of r.stdout.matchAll(/^(\w+)='((?:[^']|'\\'')*)'$/gm))
    vars.set(m[1] ?? '', (m[2] ?? '').replace(/'\\''/g, "'"));
  if ((vars.get('R') ?? '') !== '') return 'all';
  const scope = new Set<string>();
  for (const text of await preferenceTexts(vars.get('P') ?? '', vars.get('PP') ?? '')) {
    const s = parsePreferences(text);
    if (s === 'all') return 'all';
    for (const n of s) scope.add(n);
  }
  return scope;
}

/**
 * Scans the machine against the catalog: asks dpkg-query what is installed, evaluates every update with
 * dpkg's version order, then asks apt (once, for the required packages that apt's preferences
 * could pin) whether pinning keeps any of them back. Throws when dpkg-query fails: the scan failed.
 */
export async function scanInstalled(
  catalog: readonly ScanCatalogUpdate[],
  env: ScanEnvironment,
): Promise<UpdateScanResult[]> {
  const [{ packages: installed, installedAt }, scope] = await Promise.all([
    installedPackages(env),
    env.aptCache ? pinScope(env) : Promise.resolve<PinScope>(new Set()),
  ]);
  const first = evaluateCatalog(catalog, installed, {
    installedAtOf: (p) => installedAt.get(packageKey(p.name, p.arch)),
  });
  const requiredIds = new Set(
    first.filter((r) => r.state === 'required' && r.hold === undefined).map((r) => r.updateId),
  );
  if (requiredIds.size === 0 || !env.aptCache) return first;
  const names = new Set<string>();
  const requiredUpdates = catalog.filter((u) => requiredIds.has(u.id));
  for (const u of requiredUpdates)
    for (const [name, arch] of u.binaries) {
      const pkg = installed.get(packageKey(name, arch));
      if (pkg && (scope === 'all' || scope.has(name))) names.add(`${name}:${arch}`);
    }
  // Nothing apt could pin: its answer cannot change a result, so it is not asked (asking costs
  // a package cache build, seconds on a machine that keeps none).
  if (names.size === 0) return first;
  const policy = await candidates(env, [...names]);
  const again = evaluateCatalog(requiredUpdates, installed, {
    candidateOf: (name, arch) =>
      scope === 'all' || scope.has(name)
        ? (policy.get(`${name}:${arch}`) ?? policy.get(name))
        : undefined,
  });
  const byId = new Map(again.map((r) => [r.updateId, r]));
  return first.map((r) => byId.get(r.updateId) ?? r);
}
