/**
 * A dpkg sandbox for .deb install tests (ADR 0036): a root folder with its own dpkg database
 * (`<root>/var/lib/dpkg`), so the real dpkg installs the real .deb without touching this
 * machine's packages. dpkg runs with `--root` and `--force-script-chrootless` (the maintainer
 * scripts run with DPKG_ROOT, which debhelper's deb-systemd-helper honours); the database says
 * nodejs is installed (the .deb depends on it; the host's node runs the agent).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentPackageManifest } from '@steward/protocol';
import { REPO } from '../../../test-support/site.js';
import { runProcess, type ShResult } from './install-harness.js';

const NODEJS_STANZA = [
  'Package: nodejs',
  'Status: install ok installed',
  'Priority: optional',
  'Section: web',
  'Maintainer: Steward tests <tests@localhost>',
  'Architecture: all',
  'Version: 20.0.0',
  'Description: the host Node.js (dpkg sandbox of a Steward test)',
  '',
].join('\n');

export function makeDpkgRoot(root: string): void {
  for (const d of ['info', 'updates', 'triggers'])
    mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), NODEJS_STANZA);
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  writeFileSync(join(root, 'var/lib/dpkg/info/nodejs.list'), '');
}

export function dpkgInstall(root: string, deb: string): Promise<ShResult> {
  return runProcess('dpkg', [`--root=${root}`, '--force-script-chrootless', '-i', deb], {
    env: { ...process.env, DPKG_ROOT: root },
  });
}

/** The installed steward-agent's Debian version in the sandbox ('' when not installed). */
export function installedDebVersion(root: string): string {
  try {
    return execFileSync(
      'dpkg-query',
      [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', '${Version}', 'steward-agent'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
  } catch {
    return '';
  }
}

/** The real .deb of `version` (build-deb.sh with STEWARD_AGENT_VERSION). */
export function buildDeb(dir: string, version: string): string {
  return (
    execFileSync('bash', [join(REPO, 'packages/agent/packaging/build-deb.sh'), dir], {
      encoding: 'utf8',
      env: { ...process.env, STEWARD_AGENT_VERSION: version },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .at(-1) ?? ''
  );
}

/** A real .deb of `version` whose agent is `script` (a broken release). */
export function buildBrokenDeb(dir: string, version: string, script: string): string {
  const good = buildDeb(join(dir, `good-${version}`), version);
  const x = mkdtempSync(join(dir, 'unpacked-'));
  execFileSync('dpkg-deb', ['-R', good, x]);
  writeFileSync(join(x, 'usr/lib/steward-agent/steward-agent.mjs'), script);
  mkdirSync(join(dir, `broken-${version}`), { recursive: true });
  const out = join(dir, `broken-${version}`, basename(good));
  execFileSync('dpkg-deb', ['--root-owner-group', '-b', x, out], { stdio: 'ignore' });
  return out;
}

/** The real tarball of `version` (build-tarball.sh with STEWARD_AGENT_VERSION). */
export function buildTarballOf(dir: string, version: string): string {
  return (
    execFileSync('bash', [join(REPO, 'packages/agent/packaging/build-tarball.sh'), dir], {
      encoding: 'utf8',
      env: { ...process.env, STEWARD_AGENT_VERSION: version },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .at(-1) ?? ''
  );
}

/** A folder `steward agent-version add` reads: the .deb, the tarball and their manifest. */
export function debVersionFolder(
  parent: string,
  deb: string,
  tarball: string,
  version: string,
): string {
  const dir = mkdtempSync(join(parent, 'version-'));
  const file = (path: string, kind: 'deb' | 'tarball') => {
    copyFileSync(path, join(dir, basename(path)));
    return {
      name: basename(path),
      kind,
      arch: 'all',
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      size: statSync(path).size,
    };
  };
  const manifest: AgentPackageManifest = {
    name: 'steward-agent',
    version,
    files: [file(deb, 'deb'), file(tarball, 'tarball')],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/**
 * Starts the installed agent the way upgrade-deb.sh --service none does (no systemd here):
 * detached, pid in `$state/agent.pid`, log in `$state/agent.log`.
 */
export function startDebAgent(root: string, state: string): number {
  const log = openSync(join(state, 'agent.log'), 'a');
  const child = spawn(
    process.execPath,
    [join(root, 'usr/lib/steward-agent/steward-agent.mjs'), 'run'],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, STEWARD_AGENT_STATE_DIR: state },
    },
  );
  child.unref();
  const pid = child.pid ?? 0;
  writeFileSync(join(state, 'agent.pid'), `${String(pid)}\n`);
  return pid;
}
