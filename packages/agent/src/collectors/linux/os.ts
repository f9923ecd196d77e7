import { arch, hostname, release } from 'node:os';
import type { InventoryInstance } from '@steward/protocol';
import { readText, runIfPresent } from '../system.js';
import type { ClassCollector } from '../types.js';

export type OsFamily = 'debian' | 'rhel' | 'suse' | 'arch' | 'alpine' | 'other';

/** Parses os-release(5): `KEY=value` lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\`$])/g, '$1');
    }
    out[key] = value;
  }
  return out;
}

const FAMILY_OF_ID: Readonly<Record<string, OsFamily>> = {
  debian: 'debian',
  ubuntu: 'debian',
  raspbian: 'debian',
  rhel: 'rhel',
  centos: 'rhel',
  fedora: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
  ol: 'rhel',
  amzn: 'rhel',
  suse: 'suse',
  sles: 'suse',
  opensuse: 'suse',
  'opensuse-leap': 'suse',
  'opensuse-tumbleweed': 'suse',
  arch: 'arch',
  manjaro: 'arch',
  endeavouros: 'arch',
  alpine: 'alpine',
};

/** The distribution family from ID, then each ID_LIKE entry in order. */
export function osFamily(id: string | undefined, idLike: string | undefined): OsFamily {
  const candidates = [id ?? '', ...(idLike ?? '').split(/\s+/)]
    .map((s) => s.toLowerCase())
    .filter((s) => s !== '');
  for (const candidate of candidates) {
    const family = FAMILY_OF_ID[candidate];
    if (family !== undefined) return family;
  }
  return 'other';
}

export async function readOsRelease(): Promise<Record<string, string>> {
  const text = (await readText('/etc/os-release')) ?? (await readText('/usr/lib/os-release')) ?? '';
  return parseOsRelease(text);
}

async function fullyQualifiedName(short: string): Promise<string> {
  try {
    const res = await runIfPresent('hostname', ['--fqdn'], { timeoutMs: 5_000 });
    const name = res?.exitCode === 0 ? res.stdout.trim() : '';
    return name === '' ? short : name;
  } catch {
    return short;
  }
}

export const osCollector: ClassCollector = {
  className: 'os',
  async collect(): Promise<InventoryInstance[]> {
    const rel = await readOsRelease();
    const host = hostname();
    return [
      {
        family: osFamily(rel['ID'], rel['ID_LIKE']),
        name: rel['NAME'] ?? rel['PRETTY_NAME'] ?? 'Linux',
        version: rel['VERSION_ID'] ?? null,
        codename: rel['VERSION_CODENAME'] ?? rel['UBUNTU_CODENAME'] ?? null,
        kernel: release(),
        arch: arch(),
        hostname: host,
        fqdn: await fullyQualifiedName(host),
      },
    ];
  },
};
