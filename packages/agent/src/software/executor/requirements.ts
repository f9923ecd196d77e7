import { readFile, statfs } from 'node:fs/promises';
import { machine, totalmem } from 'node:os';
import { compareDebianVersions, type PlatformRequirements } from '@steward/protocol';

const MIB = 1024 * 1024;

/** What the requirements are compared with; gathered once per check. */
export interface PlatformFacts {
  osId: string | undefined;
  osIdLike: string[];
  osVersion: string | undefined;
  architecture: string;
  freeDiskMb: number;
  memoryMb: number;
}

/** Parses os-release(5): `KEY=value`, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2)
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[m[1]] = value;
  }
  return out;
}

/** `uname -m` spellings and their Debian/Go aliases name the same architecture. */
const ARCH_ALIASES: Record<string, string> = {
  amd64: 'x86_64',
  x64: 'x86_64',
  arm64: 'aarch64',
  i386: 'i686',
  i586: 'i686',
  armhf: 'armv7l',
};

function normaliseArch(a: string): string {
  const lower = a.toLowerCase();
  return ARCH_ALIASES[lower] ?? lower;
}

export async function gatherFacts(stateDir: string): Promise<PlatformFacts> {
  const text =
    (await readFile('/etc/os-release', 'utf8').catch(() => undefined)) ??
    (await readFile('/usr/lib/os-release', 'utf8').catch(() => ''));
  const os = parseOsRelease(text);
  const fs = await statfs(stateDir).catch(() => statfs('/'));
  return {
    osId: os['ID']?.toLowerCase(),
    osIdLike: (os['ID_LIKE'] ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((s) => s !== ''),
    osVersion: os['VERSION_ID'],
    architecture: machine(),
    freeDiskMb: Math.floor((fs.bavail * fs.bsize) / MIB),
    memoryMb: Math.floor(totalmem() / MIB),
  };
}

/** Every unmet requirement, each saying what is required and what this machine has. */
export function unmetRequirements(r: PlatformRequirements, f: PlatformFacts): string[] {
  const unmet: string[] = [];
  if (r.osFamilies !== undefined && r.osFamilies.length > 0) {
    const mine = [f.osId, ...f.osIdLike].filter((s): s is string => s !== undefined);
    const wanted = r.osFamilies.map((s) => s.toLowerCase());
    if (!mine.some((m) => wanted.includes(m)))
      unmet.push(
        `requires OS family ${r.osFamilies.join(' or ')}; this device runs ` +
          `${f.osId ?? 'an unknown OS'}${f.osIdLike.length > 0 ? ` (like ${f.osIdLike.join(', ')})` : ''}`,
      );
  }
  if (r.minOsVersion !== undefined && r.minOsVersion !== '') {
    if (f.osVersion === undefined)
      unmet.push(
        `requires OS version ${r.minOsVersion} or later; this device reports no VERSION_ID`,
      );
    else if (compareDebianVersions(f.osVersion, r.minOsVersion) < 0)
      unmet.push(`requires OS version ${r.minOsVersion} or later; this device has ${f.osVersion}`);
  }
  if (r.architectures !== undefined && r.architectures.length > 0) {
    const arch = normaliseArch(f.architecture);
    if (!r.architectures.some((a) => normaliseArch(a) === arch))
      unmet.push(
        `requires architecture ${r.architectures.join(' or ')}; this device is ${f.architecture}`,
      );
  }
  if (r.minFreeDiskMb !== undefined && f.freeDiskMb < r.minFreeDiskMb)
    unmet.push(
      `requires ${r.minFreeDiskMb} MB of free disk; this device has ${f.freeDiskMb} MB free`,
    );
  if (r.minMemoryMb !== undefined && f.memoryMb < r.minMemoryMb)
    unmet.push(`requires ${r.minMemoryMb} MB of memory; this device has ${f.memoryMb} MB`);
  return unmet;
}

/** Checks a program's platform requirements against this machine (free disk: the state dir's). */
export async function checkPlatformRequirements(
  r: PlatformRequirements,
  stateDir: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const unmet = unmetRequirements(r, await gatherFacts(stateDir));
  return unmet.length === 0 ? { ok: true } : { ok: false, reason: unmet.join('; ') };
}
