import type { InstalledPackage } from '@steward/protocol';
import { findExecutable, runCommand } from '../system.js';
import type { PackageSource } from '../types.js';

export const DPKG_FORMAT = '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n';

/**
 * Parses `dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n'`.
 * Only packages whose current status is "installed" (second letter `i` of the abbreviation:
 * `ii`, and `hi` for held ones) count; removed-with-config (`rc`) and half-installed do not.
 */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of text.split('\n')) {
    const [status, name, version, arch] = line.split('\t');
    if (status === undefined || name === undefined || version === undefined || arch === undefined)
      continue;
    if (status[1] !== 'i' || name === '') continue;
    out.push({ name, version, arch, manager: 'dpkg' });
  }
  return out;
}

export const RPM_FORMAT = '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';

/** Parses `rpm -qa --qf '%{NAME}\t[epoch:]%{VERSION}-%{RELEASE}\t%{ARCH}\n'`. */
export function parseRpmQuery(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of text.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (name === undefined || version === undefined || arch === undefined || name === '') continue;
    // gpg-pubkey entries are keys in the rpm database, not software.
    if (name === 'gpg-pubkey') continue;
    out.push({ name, version, arch: arch === '(none)' ? 'noarch' : arch, manager: 'rpm' });
  }
  return out;
}

export const dpkgSource: PackageSource = {
  manager: 'dpkg',
  async available() {
    return (await findExecutable('dpkg-query')) !== undefined;
  },
  async list() {
    const file = await findExecutable('dpkg-query');
    if (file === undefined) return [];
    const res = await runCommand(file, ['-W', '-f', DPKG_FORMAT], { timeoutMs: 120_000 });
    if (res.exitCode !== 0)
      throw new Error(`dpkg-query exited with ${res.exitCode}: ${res.stderr.trim()}`);
    return parseDpkgQuery(res.stdout);
  },
};

export const rpmSource: PackageSource = {
  manager: 'rpm',
  async available() {
    return (await findExecutable('rpm')) !== undefined;
  },
  async list() {
    const file = await findExecutable('rpm');
    if (file === undefined) return [];
    const res = await runCommand(file, ['-qa', '--qf', RPM_FORMAT], { timeoutMs: 120_000 });
    if (res.exitCode !== 0)
      throw new Error(`rpm exited with ${res.exitCode}: ${res.stderr.trim()}`);
    return parseRpmQuery(res.stdout);
  },
};
