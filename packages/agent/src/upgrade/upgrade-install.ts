import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type {
  AgentUpgradeErrorCode,
  ClientVersionPackage,
  ClientVersionTarget,
} from '@steward/protocol';
import type { InstallRecord } from './install-record.js';

/*
 * The install side of an agent upgrade (ADR 0027): which packages to fetch, unpacking the
 * verified tarball beside the installed version, and starting upgrade-agent.sh outside the agent.
 */

const run = promisify(execFile);

export interface UpgradeFailure {
  code: AgentUpgradeErrorCode;
  reason: string;
}
type Failure = UpgradeFailure;

/**
 * Starts upgrade-agent.sh outside this process: a transient systemd unit under systemd (so
 * restarting steward-agent.service does not kill the watcher with the unit's cgroup), its own
 * session otherwise (install-agent.sh stops this process; the helper goes on).
 */
export async function startHelper(o: {
  attemptId: string;
  toVersion: string;
  libDir: string;
  service: InstallRecord['service'];
  attemptDir: string;
  reportInSeconds: number;
}): Promise<void> {
  const args = [
    join(o.libDir, 'upgrade-agent.sh'),
    '--lib-dir',
    o.libDir,
    '--attempt-dir',
    o.attemptDir,
    '--new',
    join(o.attemptDir, 'new', 'steward-agent'),
    '--to',
    o.toVersion,
    '--report-in',
    String(o.reportInSeconds),
  ];
  await launchHelper({
    args,
    attemptId: o.attemptId,
    attemptDir: o.attemptDir,
    service: o.service,
  });
}

/** Runs `/bin/sh <args>` outside the agent: a transient systemd unit, or its own session. */
export async function launchHelper(o: {
  args: readonly string[];
  attemptId: string;
  attemptDir: string;
  service: InstallRecord['service'];
}): Promise<void> {
  if (o.service === 'systemd') {
    await run('systemd-run', [
      `--unit=steward-agent-upgrade-${o.attemptId}`,
      '--collect',
      '--quiet',
      '/bin/sh',
      ...o.args,
    ]);
    return;
  }
  const log = await open(join(o.attemptDir, 'upgrade.log'), 'a', 0o600);
  try {
    const child = spawn('/bin/sh', [...o.args], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    child.unref();
  } finally {
    await log.close();
  }
}

/** The folder the running agent was installed in: its bundle's, or its single executable's. */
export function installedLibDir(): string | undefined {
  const script = process.argv[1];
  if (script?.endsWith('.mjs') === true) return dirname(script);
  if (script === process.execPath) return dirname(process.execPath);
  return undefined;
}

/** The tarball always (it carries install-agent.sh); the single executable too when running as one. */
export function pickPackages(
  target: ClientVersionTarget,
  runtime: InstallRecord['runtime'],
): ClientVersionPackage[] | Failure {
  const tarball = target.packages.find((p) => p.kind === 'tarball');
  if (tarball === undefined)
    return { code: 'AGENT_UPGRADE_NO_PACKAGE', reason: `version ${target.version} has no tarball` };
  if (runtime !== 'sea') return [tarball];
  const sea = target.packages.find((p) => p.kind === 'sea' && p.arch === process.arch);
  if (sea === undefined)
    return {
      code: 'AGENT_UPGRADE_NO_PACKAGE',
      reason: `version ${target.version} has no single executable for ${process.arch}`,
    };
  return [tarball, sea];
}

/** Unpacks the verified tarball into `<dir>/new` (and the single executable into its bin/). */
export async function unpack(
  dir: string,
  pkgs: readonly ClientVersionPackage[],
  version: string,
): Promise<Failure | undefined> {
  const newDir = join(dir, 'new');
  for (const p of pkgs) {
    if (p.kind === 'tarball') await run('tar', ['-xzf', join(dir, p.name), '-C', newDir]);
  }
  const sea = pkgs.find((p) => p.kind === 'sea');
  if (sea !== undefined) {
    const dest = join(newDir, 'steward-agent', 'bin', 'steward-agent-sea');
    await copyFile(join(dir, sea.name), dest);
    await chmod(dest, 0o755);
  }
  const found = (
    await readFile(join(newDir, 'steward-agent', 'VERSION'), 'utf8').catch(() => '')
  ).trim();
  if (found !== version)
    return {
      code: 'AGENT_UPGRADE_INSTALL_FAILED',
      reason: `the package holds version "${found}", not ${version}`,
    };
  return undefined;
}
