import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dearmorKeyring } from '@steward/protocol';
import { rebootRequired } from '../restart/restart-detect.js';

/**
 * Installs approved update versions with apt, from the site's signed repository of approved
 * content (ADR 0050), in ONE apt transaction. apt reads only that repository (a temporary
 * sources list; the site key as its only Signed-By; the machine's own sources, trusted keys and
 * pinning left out), so nothing but approved versions can be installed, and apt itself refuses a
 * repository whose InRelease the site key did not sign.
 *
 * `root` is the system to change: '/' on a machine; a sandbox folder with its own dpkg database
 * in tests (apt `Dir=`, dpkg `--root`), where the same real apt and dpkg run.
 */

export interface PackageVersion {
  name: string;
  version: string;
}

export interface AptInstallRequest {
  /** The local folder holding the approved repository (Packages, Release, InRelease, pool/). */
  repoDir: string;
  /** The site's armoured OpenPGP public key (from the policy): the only key apt trusts here. */
  siteKey: string;
  packages: readonly PackageVersion[];
  /** The system root: '/' (default) or a sandbox. */
  root?: string;
  /** Rehearsal: apt's simulate mode, nothing changes. */
  simulate?: boolean;
  /** Roll back to an older version (uninstall an update where the catalog keeps the previous one). */
  allowDowngrades?: boolean;
}

/** Why an install failed, as enforcement states report it. */
export type AptFailure =
  | 'bad-signature'
  | 'dpkg-lock-held'
  | 'low-disk-space'
  | 'missing-prerequisites'
  | 'access-denied'
  | 'not-available'
  | 'failed';

export interface AptPlan {
  install: PackageVersion[];
  remove: string[];
}

export type AptInstallResult =
  | {
      ok: true;
      /** What apt did (or, simulating, would do). */
      plan: AptPlan;
      /** Already at the approved version or newer: nothing to do for them. */
      alreadyInstalled: string[];
      restart: RebootFlag;
    }
  | { ok: false; failure: AptFailure; message: string };

export interface RebootFlag {
  required: boolean;
  /** Packages that asked for it (reboot-required.pkgs). */
  packages: string[];
}

interface Run {
  code: number;
  output: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * The seam the scan uses before an install: the installed version of each named package ('' when
 * not installed), read from dpkg's database under `root`.
 */
export async function installedVersions(
  names: readonly string[],
  root = '/',
): Promise<Map<string, string>> {
  const out = new Map(names.map((n) => [n, '']));
  if (names.length === 0) return out;
  const r = await run(
    'dpkg-query',
    [
      `--admindir=${join(root, 'var/lib/dpkg')}`,
      '-W',
      '-f',
      '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n',
      ...names,
    ],
    process.env,
  );
  for (const line of r.output.split('\n')) {
    const [name, version, status] = line.split('\t');
    // 'ii ' = installed; a removed package with config files left ('rc') is not installed.
    if (name !== undefined && out.has(name) && status?.startsWith('ii'))
      out.set(name, version ?? '');
  }
  return out;
}

/** dpkg's version order, from dpkg itself. */
async function atLeast(installed: string, approved: string): Promise<boolean> {
  if (installed === '') return false;
  const r = await run('dpkg', ['--compare-versions', installed, 'ge', approved], process.env);
  return r.code === 0;
}

/** The failure apt's output names; 'failed' when it names none of the known ones. */
export function classifyAptFailure(output: string): AptFailure {
  if (/NO_PUBKEY|signatures were invalid|is not signed|BADSIG|InRelease.*not valid/i.test(output))
    return 'bad-signature';
  if (
    /Could not get lock|Unable to acquire the dpkg frontend lock|dpkg was interrupted/i.test(output)
  )
    return 'dpkg-lock-held';
  if (/enough free space|No space left on device/i.test(output)) return 'low-disk-space';
  if (/Unmet dependencies|Depends:|broken packages/i.test(output)) return 'missing-prerequisites';
  if (/Permission denied|are you root/i.test(output)) return 'access-denied';
  if (/Version '.*' for '.*' was not found|Unable to locate package/i.test(output))
    return 'not-available';
  return 'failed';
}

/** `Inst pkg [old] (new ...)` and `Remv pkg [old]` lines of apt-get -s. */
export function parseSimulation(output: string): AptPlan {
  const install: PackageVersion[] = [];
  const remove: string[] = [];
  for (const line of output.split('\n')) {
    const inst = /^Inst (\S+)(?: \[[^\]]*\])? \((\S+)/.exec(line);
    if (inst?.[1] !== undefined && inst[2] !== undefined)
      install.push({ name: inst[1].replace(/:\S+$/, ''), version: inst[2] });
    const remv = /^Remv (\S+)/.exec(line);
    if (remv?.[1] !== undefined) remove.push(remv[1].replace(/:\S+$/, ''));
  }
  return { install, remove };
}

/** The reboot flag update-notifier-common writes, and the packages that raised it. */
async function rebootFlag(root: string): Promise<RebootFlag> {
  const flag = await rebootRequired(root);
  return { required: flag.reboot, packages: flag.packages };
}

/** apt's options: only the approved repository, the site key, state and cache in `work`. */
function aptOptions(work: string, root: string): string[] {
  const opts = {
    'Dir::Etc::SourceList': join(work, 'sources.list'),
    'Dir::Etc::SourceParts': join(work, 'empty'),
    'Dir::Etc::Trusted': join(work, 'no-trusted.gpg'),
    'Dir::Etc::TrustedParts': join(work, 'empty'),
    'Dir::Etc::Preferences': join(work, 'no-preferences'),
    'Dir::Etc::PreferencesParts': join(work, 'empty'),
    'Dir::State::Lists': join(work, 'lists'),
    'Dir::Cache': join(work, 'cache'),
    'Dir::Log': join(work, 'log'),
    // The repository is a local folder the agent owns: apt's _apt download user may not read it.
    'APT::Sandbox::User': 'root',
  };
  return [...Object.entries(opts).flatMap(([k, v]) => ['-o', `${k}=${v}`]), ...rootAptArgs(root)];
}

/**
 * apt's options for the system under `root`: none for '/', a sandbox through `Dir=` (apt reads
 * and writes its state there) and dpkg's `--root` (the same real dpkg changes it).
 */
export function rootAptArgs(root: string): string[] {
  if (root === '/') return [];
  return [
    '-o',
    `Dir=${root}`,
    '-o',
    'Dir::Bin::dpkg=/usr/bin/dpkg',
    '-o',
    `DPkg::Options::=--root=${root}`,
    '-o',
    'DPkg::Options::=--force-script-chrootless',
  ];
}

async function prepareWork(work: string, req: AptInstallRequest): Promise<void> {
  const key = dearmorKeyring(req.siteKey);
  if ('error' in key) throw new Error(`the site's update key: ${key.error}`);
  for (const d of ['empty', 'lists/partial', 'cache/archives/partial', 'log'])
    await mkdir(join(work, d), { recursive: true });
  await writeFile(join(work, 'site.gpg'), key.bytes);
  await writeFile(
    join(work, 'sources.list'),
    `deb [signed-by=${join(work, 'site.gpg')}] file:${req.repoDir} ./\n`,
  );
}

/**
 * Checks what is installed, then installs (or simulates) the approved versions still missing in
 * one `apt-get install pkg=version ...`, and reads whether a restart is now required.
 */
export async function aptInstall(req: AptInstallRequest): Promise<AptInstallResult> {
  const root = req.root ?? '/';
  const installed = await installedVersions(
    req.packages.map((p) => p.name),
    root,
  );
  const todo: PackageVersion[] = [];
  const alreadyInstalled: string[] = [];
  for (const p of req.packages) {
    const have = installed.get(p.name) ?? '';
    const done = req.allowDowngrades === true ? have === p.version : await atLeast(have, p.version);
    if (done) alreadyInstalled.push(p.name);
    else todo.push(p);
  }
  if (todo.length === 0)
    return {
      ok: true,
      plan: { install: [], remove: [] },
      alreadyInstalled,
      restart: await rebootFlag(root),
    };
  const work = await mkdtemp(join(tmpdir(), 'steward-apt-install-'));
  try {
    await prepareWork(work, req);
    const env = {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
      ...(root !== '/' ? { DPKG_ROOT: root } : {}),
    };
    const options = aptOptions(work, root);
    const update = await run('apt-get', [...options, 'update'], env);
    // apt-get update exits 0 on some signature problems (it keeps the old lists): read its words.
    const updateFailure = classifyAptFailure(update.output);
    if (update.code !== 0 || updateFailure === 'bad-signature')
      return { ok: false, failure: updateFailure, message: tail(update.output) };
    const install = await run(
      'apt-get',
      [
        ...options,
        '-y',
        '--no-install-recommends',
        ...(req.allowDowngrades === true ? ['--allow-downgrades'] : []),
        ...(req.simulate === true ? ['-s'] : []),
        'install',
        ...todo.map((p) => `${p.name}=${p.version}`),
      ],
      env,
    );
    if (install.code !== 0)
      return {
        ok: false,
        failure: classifyAptFailure(install.output),
        message: tail(install.output),
      };
    const plan =
      req.simulate === true
        ? parseSimulation(install.output)
        : { install: todo, remove: parseSimulation(install.output).remove };
    return { ok: true, plan, alreadyInstalled, restart: await rebootFlag(root) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-12).join('\n').slice(-2000);
}
