/**
 * Helpers for tests of the host-side installer (install-agent.sh) and the packages it installs
 * from: build a package once, run a shell script as a real process, read its STEWARD-INSTALL
 * lines, and stop the detached agent it started.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AgentPackageManifest } from '@steward/protocol';
import { REPO, waitFor } from '../../../test-support/site.js';

export interface ShResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` to completion (no shell in between); stdin is closed unless `input` is given. */
export function runProcess(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<ShResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // A child that exits without reading its input closes the pipe: EPIPE is not a failure.
    child.stdin?.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Builds the agent tarball into a fresh folder and unpacks it; returns both paths. */
export function buildTarball(): { tarball: string; unpacked: string } {
  const out = mkdtempSync(join(tmpdir(), 'steward-tarball-'));
  const tarball = execFileSync(
    'bash',
    [join(REPO, 'packages/agent/packaging/build-tarball.sh'), out],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();
  const unpacked = mkdtempSync(join(tmpdir(), 'steward-tarball-x-'));
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
  return { tarball, unpacked: join(unpacked, 'steward-agent') };
}

export interface InstallLine {
  step: string;
  status: string;
  detail: string;
}

/** The machine-readable lines install-agent.sh prints, in order. */
export function installLines(stdout: string): InstallLine[] {
  const lines: InstallLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^STEWARD-INSTALL step=(\S+) status=(\S+) detail=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined)
      lines.push({ step: m[1], status: m[2], detail: m[3] });
  }
  return lines;
}

export function pidOf(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir, 'agent.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the detached agent install-agent.sh started (SIGTERM, as the installer does itself). */
export async function stopDetached(stateDir: string): Promise<void> {
  const pid = pidOf(stateDir);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(`agent ${String(pid)} to exit`, () => !alive(pid), 45_000);
}

/**
 * A PATH for a machine without Node.js: a folder linking every program of the usual bin folders
 * except node (and what runs through it), so a test can prove a package needs no Node.js.
 */
export function pathWithoutNode(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-no-node-'));
  const skip = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);
  for (const bin of [
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]) {
    if (!existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      if (skip.has(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  return dir;
}

/** Builds every agent package and the manifest (package-all.sh) into a fresh folder. */
export function buildAllPackages(): string {
  const out = mkdtempSync(join(tmpdir(), 'steward-packages-'));
  execFileSync('bash', [join(REPO, 'packages/agent/packaging/package-all.sh'), out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out;
}

/**
 * A folder `steward agent-version add` registers: the tarball and a manifest naming it (its
 * version read from the file name).
 */
export function tarballVersionFolder(tarball: string): { dir: string; version: string } {
  const dir = mkdtempSync(join(tmpdir(), 'steward-install-version-'));
  const name = basename(tarball);
  copyFileSync(tarball, join(dir, name));
  const version = /steward-agent-(.+)-linux\.tar\.gz$/.exec(name)?.[1] ?? '';
  const manifest: AgentPackageManifest = {
    name: 'steward-agent',
    version,
    files: [
      {
        name,
        kind: 'tarball',
        arch: 'all',
        sha256: createHash('sha256').update(readFileSync(tarball)).digest('hex'),
        size: statSync(tarball).size,
      },
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { dir, version };
}
