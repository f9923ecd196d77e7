/**
 * dpkg's own database, read directly: the `status` file of an admin directory (the real
 * /var/lib/dpkg, or a sandbox one in tests). Reading the file costs one read and no process,
 * which is what lets the scan be cheaper than `apt list --upgradable` (bench/updates.mjs).
 */

export interface DpkgPackage {
  name: string;
  arch: string;
  version: string;
  /** dpkg's package state: `installed`, `half-configured`, `unpacked`, `config-files`, ... */
  state: string;
  /** The selection is `hold` (`apt-mark hold`, `dpkg --set-selections`). */
  held: boolean;
}

/** Key of an installed package: `name:arch`, the way dpkg names a multi-arch instance. */
export const packageKey = (name: string, arch: string): string => `${name}:${arch}`;

/** Parses a dpkg status file; stanzas without a package, version or status are skipped. */
export function parseDpkgStatus(text: string): Map<string, DpkgPackage> {
  const out = new Map<string, DpkgPackage>();
  for (const stanza of text.split(/\n\s*\n/)) {
    let name = '';
    let arch = '';
    let version = '';
    let status = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('Package:')) name = line.slice(8).trim();
      else if (line.startsWith('Architecture:')) arch = line.slice(13).trim();
      else if (line.startsWith('Version:')) version = line.slice(8).trim();
      else if (line.startsWith('Status:')) status = line.slice(7).trim();
    }
    if (!name || !version || !status) continue;
    // "Status: <want> <error flag> <state>", e.g. "hold ok installed".
    const [want, , state] = status.split(/\s+/);
    if (state === undefined || state === 'not-installed' || state === 'config-files') continue;
    out.set(packageKey(name, arch), { name, arch, version, state, held: want === 'hold' });
  }
  return out;
}
