import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentError, ExitCode } from '../errors.js';
import { aptInstall, type PackageVersion } from '../updates/install/apt-install.js';
import type { CliIo } from './cli-io.js';

export interface UpdateInstallArgs {
  repo: string | undefined;
  key: string | undefined;
  root: string | undefined;
  simulate: boolean;
  allowDowngrades: boolean;
  json: boolean;
  positionals: string[];
}

function packageOf(arg: string): PackageVersion {
  const m = /^([a-z0-9][a-z0-9+.-]+)=(\S+)$/.exec(arg);
  if (!m?.[1] || !m[2]) throw new AgentError('USAGE', `"${arg}" is not <package>=<version>`);
  return { name: m[1], version: m[2] };
}

/**
 * `steward-agent update-install --repo <dir> --key <site key .asc> [--root <dir>] [--simulate]
 * [--allow-downgrades] [--json] <package>=<version>...`: installs approved update versions from
 * a folder holding the site's signed repository of approved content, in one apt transaction
 * (what an update deployment runs; by hand, a rehearsal with --simulate). Exit 1 when apt failed.
 */
export async function updateInstallCommand(args: UpdateInstallArgs, io: CliIo): Promise<number> {
  if (args.repo === undefined || args.key === undefined)
    throw new AgentError('USAGE', 'update-install needs --repo <dir> and --key <file>');
  if (args.positionals.length === 0)
    throw new AgentError('USAGE', 'update-install needs at least one <package>=<version>');
  const packages = args.positionals.map(packageOf);
  const result = await aptInstall({
    repoDir: resolve(args.repo),
    siteKey: await readFile(args.key, 'utf8'),
    packages,
    ...(args.root !== undefined ? { root: resolve(args.root) } : {}),
    simulate: args.simulate,
    allowDowngrades: args.allowDowngrades,
  });
  if (args.json) io.out(JSON.stringify(result) + '\n');
  else if (result.ok) {
    const verb = args.simulate ? 'would install' : 'installed';
    const list = result.plan.install.map((p) => `${p.name}=${p.version}`).join(' ');
    io.out(`${verb}: ${list === '' ? 'nothing' : list}\n`);
    if (result.plan.remove.length > 0) io.out(`removes: ${result.plan.remove.join(' ')}\n`);
    if (result.alreadyInstalled.length > 0)
      io.out(`already installed: ${result.alreadyInstalled.join(' ')}\n`);
    if (result.restart.required)
      io.out(`restart required by: ${result.restart.packages.join(' ') || '(unknown)'}\n`);
  } else io.err(`error ${result.failure}: ${result.message}\n`);
  return result.ok ? ExitCode.ok : ExitCode.failure;
}
