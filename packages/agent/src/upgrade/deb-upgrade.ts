import { execFile } from 'node:child_process';
import { access, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClientVersionPackage, ClientVersionTarget } from '@steward/protocol';
import { errorMessage } from '../errors.js';
import type { PackageDownload } from './package-download.js';
import { launchHelper, type UpgradeFailure } from './upgrade-install.js';

/*
 * Self-upgrade of an agent installed from the .deb (ADR 0036): both .debs (the new version's and
 * the running version's, to roll back to) are downloaded and verified against the signed policy
 * before anything is replaced, then upgrade-deb.sh installs the new one with dpkg outside the
 * agent and reinstalls the previous one when the new version does not start or report in.
 */

const run = promisify(execFile);
const LIB_SUFFIX = '/usr/lib/steward-agent';

/** An agent the .deb installed: dpkg's root (`/`, or a test sandbox with its own database). */
export interface DebInstall {
  kind: 'deb';
  root: string;
  libDir: string;
}

/**
 * The .deb owns the running agent when its folder is `<root>/usr/lib/steward-agent`, dpkg's
 * database under `<root>` lists the package, and the package's upgrade helper is there.
 */
export async function detectDebInstall(libDir: string): Promise<DebInstall | undefined> {
  if (!libDir.endsWith(LIB_SUFFIX)) return undefined;
  const root = libDir.slice(0, -LIB_SUFFIX.length) || '/';
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  if (!(await exists(join(root, 'var/lib/dpkg/info/steward-agent.list')))) return undefined;
  if (!(await exists(join(libDir, 'upgrade-deb.sh')))) return undefined;
  return { kind: 'deb', root, libDir };
}

/** The upstream version of a .deb named by build-deb.sh: `steward-agent_<version>-<rev>_all.deb`. */
export function debVersionOf(name: string): string | undefined {
  return /^steward-agent_(.+)-[^-_]+_all\.deb$/.exec(name)?.[1];
}

/** The new version's .deb and the running version's (the rollback), both from the signed target. */
export function pickDebs(
  target: ClientVersionTarget,
  running: string,
): { next: ClientVersionPackage; previous: ClientVersionPackage } | UpgradeFailure {
  const deb = (v: string) =>
    target.packages.find((p) => p.kind === 'deb' && debVersionOf(p.name) === v);
  const next = deb(target.version);
  if (next === undefined)
    return { code: 'AGENT_UPGRADE_NO_PACKAGE', reason: `version ${target.version} has no .deb` };
  const previous = deb(running);
  if (previous === undefined)
    return {
      code: 'AGENT_UPGRADE_NO_ROLLBACK',
      reason: `the .deb of the running version ${running} is not among the site's recent agent versions: no rollback, so no upgrade`,
    };
  return { next, previous };
}

/** The downloaded .deb really is steward-agent at `version` (dpkg-deb reads its control file). */
export async function checkDeb(file: string, version: string): Promise<UpgradeFailure | undefined> {
  try {
    const { stdout } = await run('dpkg-deb', ['-f', file, 'Package', 'Version']);
    const fields = new Map(
      stdout
        .split('\n')
        .map((l) => l.split(': '))
        .map(([k, ...v]) => [k ?? '', v.join(': ').trim()]),
    );
    const found = fields.get('Version') ?? '';
    if (fields.get('Package') === 'steward-agent' && found.replace(/-[^-]+$/, '') === version)
      return undefined;
    return {
      code: 'AGENT_UPGRADE_INSTALL_FAILED',
      reason: `the .deb holds ${fields.get('Package') ?? '?'} ${found}, not steward-agent ${version}`,
    };
  } catch (err) {
    return {
      code: 'AGENT_UPGRADE_INSTALL_FAILED',
      reason: `dpkg-deb cannot read the .deb: ${errorMessage(err)}`,
    };
  }
}

/**
 * Downloads and verifies both .debs into the attempt folder and returns how to hand over, or
 * why not. Nothing installed is touched here.
 */
export async function prepareDebUpgrade(o: {
  install: DebInstall;
  target: ClientVersionTarget;
  running: string;
  stateDir: string;
  attemptId: string;
  attemptDir: string;
  download: (pkg: ClientVersionPackage, dest: string) => Promise<PackageDownload>;
}): Promise<{ start: () => Promise<void> } | UpgradeFailure> {
  const picked = pickDebs(o.target, o.running);
  if ('code' in picked) return picked;
  const files = {
    next: join(o.attemptDir, 'new.deb'),
    previous: join(o.attemptDir, 'previous.deb'),
  };
  for (const which of ['next', 'previous'] as const) {
    const got = await o.download(picked[which], files[which]);
    if (!got.ok) return got;
  }
  const bad =
    (await checkDeb(files.next, o.target.version)) ?? (await checkDeb(files.previous, o.running));
  if (bad !== undefined) return bad;
  // The helper runs from the attempt folder: dpkg replaces the installed copy under it.
  const helper = join(o.attemptDir, 'upgrade-deb.sh');
  await copyFile(join(o.install.libDir, 'upgrade-deb.sh'), helper);
  const service = serviceOf(process.env);
  const args = [
    helper,
    ...['--root', o.install.root, '--state-dir', o.stateDir, '--attempt-dir', o.attemptDir],
    ...['--new-deb', files.next, '--previous-deb', files.previous, '--to', o.target.version],
    ...['--service', service, '--node', process.execPath],
    ...['--report-in', String(o.target.reportInSeconds)],
    // apt/dpkg may be busy (unattended-upgrades): wait as long as a new version may take to report in.
    ...['--lock-wait', String(o.target.reportInSeconds)],
  ];
  return {
    start: () => launchHelper({ args, attemptId: o.attemptId, attemptDir: o.attemptDir, service }),
  };
}

/**
 * The service manager the helper works with: systemd when this agent runs as a systemd unit
 * (systemd sets INVOCATION_ID for every unit's processes: steward-agent.service from the .deb);
 * otherwise none, and the helper restarts the agent itself from `$state/agent.pid`.
 */
export function serviceOf(env: NodeJS.ProcessEnv): 'systemd' | 'none' {
  return env['INVOCATION_ID'] !== undefined && env['INVOCATION_ID'] !== '' ? 'systemd' : 'none';
}
