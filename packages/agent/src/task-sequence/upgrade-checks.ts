import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpgradePreCheck, UpgradeSpec } from '@steward/protocol';
import { classifyAptFailure } from '../updates/install/apt-install.js';

/**
 * The pre-checks of an in-place release upgrade (issue 11, ADR 0102), read from the system
 * under `root` with dpkg and apt themselves. Each names what it found, so a failed check says
 * what to fix; none of them changes anything.
 */

export interface Run {
  code: number;
  output: string;
}

/** Runs a program to the end with its whole output (a plan can be thousands of lines). */
export function runAll(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** KEY=value lines of os-release(5), quotes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] === undefined || m[2] === undefined) continue;
    out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** The release under `root`: /etc/os-release, then /usr/lib/os-release (its fallback). */
export async function readRelease(
  root: string,
): Promise<{ codename: string; version: string } | undefined> {
  for (const p of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readFile(join(root, p), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const f = parseOsRelease(text);
    return { codename: f['VERSION_CODENAME'] ?? '', version: f['VERSION_ID'] ?? '' };
  }
  return undefined;
}

/** `12` matches `12` and `12.5`; Ubuntu's `22.04` only itself. */
const sameVersion = (have: string, want: string) => have === want || have.startsWith(`${want}.`);

async function currentRelease(root: string, spec: UpgradeSpec): Promise<UpgradePreCheck> {
  const r = await readRelease(root);
  const from = `${spec.fromRelease.codename} (${spec.fromRelease.version})`;
  if (!r) return { check: 'current-release', ok: false, detail: 'no /etc/os-release' };
  const have = `${r.codename || '?'} (${r.version || '?'})`;
  const ok =
    r.codename === spec.fromRelease.codename &&
    (r.version === '' || sameVersion(r.version, spec.fromRelease.version));
  return {
    check: 'current-release',
    ok,
    detail: ok ? `runs ${have}` : `runs ${have}; the upgrade starts from ${from}`,
  };
}

async function freeSpace(root: string, spec: UpgradeSpec): Promise<UpgradePreCheck> {
  const s = await statfs(join(root, 'var')).catch(() => statfs(root));
  const freeMiB = Math.floor((s.bavail * s.bsize) / 1048576);
  const want = spec.options.freeSpaceMiB;
  return {
    check: 'free-space',
    ok: freeMiB >= want,
    detail: `${String(freeMiB)} MiB free under /var, ${String(want)} MiB needed`,
  };
}

/** Held packages and half-done ones, from one dpkg-query of the status database. */
async function dpkgStates(root: string): Promise<UpgradePreCheck[]> {
  const q = await runAll(
    'dpkg-query',
    [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', '${Package}\\t${Status}\\n'],
    process.env,
  );
  const held: string[] = [];
  const half: string[] = [];
  for (const line of q.output.split('\n')) {
    const [name, status] = line.split('\t');
    if (name === undefined || status === undefined) continue;
    const [want, , state] = status.split(' ');
    if (want === 'hold' && state !== 'not-installed') held.push(name);
    if (
      state !== undefined &&
      ['half-installed', 'half-configured', 'unpacked', 'triggers-awaited'].includes(state)
    )
      half.push(`${name} (${state})`);
  }
  const list = (names: string[]) => names.slice(0, 20).join(', ');
  return [
    {
      check: 'held-packages',
      ok: held.length === 0,
      detail:
        held.length === 0
          ? 'no package is held'
          : `held (apt-mark unhold them or remove them first): ${list(held)}`,
    },
    {
      check: 'half-configured',
      ok: half.length === 0 && q.code === 0,
      detail:
        q.code !== 0
          ? `dpkg-query failed: ${q.output.trim().slice(-300)}`
          : half.length === 0
            ? 'every package is fully installed'
            : `not fully installed (dpkg --configure -a): ${list(half)}`,
    },
  ];
}

async function dpkgAudit(root: string): Promise<UpgradePreCheck> {
  const r = await runAll('dpkg', [`--root=${root}`, '--audit'], process.env);
  const out = r.output.trim();
  return {
    check: 'dpkg-audit',
    ok: r.code === 0 && out === '',
    detail: out === '' ? 'dpkg --audit finds nothing' : out.split('\n').slice(0, 6).join(' '),
  };
}

async function aptLock(root: string, aptArgs: readonly string[]): Promise<UpgradePreCheck> {
  // apt-get check takes the dpkg frontend lock as an install would, and says who holds it.
  const r = await runAll('apt-get', [...aptArgs, 'check'], process.env);
  const locked = r.code !== 0 && classifyAptFailure(r.output) === 'dpkg-lock-held';
  const by = /held by process \d+ \([^)]*\)/.exec(r.output)?.[0];
  return {
    check: 'apt-lock',
    ok: !locked,
    detail: locked
      ? `the dpkg lock under ${root} is ${by ?? 'held'}`
      : 'the dpkg and apt locks are free',
  };
}

/** Every pre-check, in the report's order. */
export async function preChecks(
  root: string,
  spec: UpgradeSpec,
  aptArgs: readonly string[],
): Promise<UpgradePreCheck[]> {
  const [held, half] = await dpkgStates(root);
  return [
    await currentRelease(root, spec),
    await freeSpace(root, spec),
    ...(held && half ? [held, await dpkgAudit(root), half] : []),
    await aptLock(root, aptArgs),
  ];
}
