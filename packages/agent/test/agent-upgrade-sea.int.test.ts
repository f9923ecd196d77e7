/**
 * Self-upgrade of the single executable (Node SEA) install (issue 9, ADR 0027), for real: two
 * versions built by the real build-tarball.sh and build-sea.sh, installed by install-agent.sh on
 * a "machine" with no Node.js on its PATH (so it installs the single executable), enrolled to a
 * real site. The agent downloads the tarball and its architecture's executable, verifies both
 * against the signed policy, and upgrade-agent.sh installs them; a release whose executable
 * does not start is rolled back to the previous executable. Without a service manager
 * (`--service none`): there is no systemd on this machine.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type AgentPackageManifest,
  type AgentUpgradeAttempt,
  type ApiClient,
  type DeviceUpgradeStatus,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  REPO,
  STEWARD,
  waitFor,
  type Site,
} from '../../../test-support/site.js';
import {
  alive,
  installLines,
  pathWithoutNode,
  pidOf,
  runProcess,
  stopDetached,
} from './install-harness.js';

const V1 = '9.5.1-test';
const V2 = '9.5.2-test';
const BROKEN = '9.5.3-test';

function build(script: string, dir: string, version: string): string {
  return (
    execFileSync('bash', [join(REPO, 'packages/agent/packaging', script), dir], {
      encoding: 'utf8',
      env: { ...process.env, STEWARD_AGENT_VERSION: version },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .at(-1) ?? ''
  );
}

/** A folder `steward agent-version add` reads: the tarball, the executable, their manifest. */
function versionFolder(parent: string, version: string, tarball: string, sea: string): string {
  const dir = mkdtempSync(join(parent, 'version-'));
  const file = (path: string, kind: 'tarball' | 'sea', arch: string) => {
    copyFileSync(path, join(dir, basename(path)));
    return {
      name: basename(path),
      kind,
      arch,
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      size: statSync(path).size,
    };
  };
  const manifest: AgentPackageManifest = {
    name: 'steward-agent',
    version,
    files: [file(tarball, 'tarball', 'all'), file(sea, 'sea', process.arch)],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('agent self-upgrade of the single executable (sqlite)', () => {
  let site: Site;
  let api: ApiClient;
  let root: string | undefined;
  let state = '';
  let prefix = '';
  let deviceId = '';
  let seas: Record<string, string> = {};
  let cliEnv: NodeJS.ProcessEnv;
  const noNode = pathWithoutNode();

  const cli = async (...args: string[]) => {
    const r = await exec(STEWARD, args, { env: cliEnv });
    expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const status = (): Promise<DeviceUpgradeStatus> =>
    api.call(ops.agentVersions.deviceUpgradeStatus, { params: { id: deviceId } });
  const finished = (version: string) =>
    waitFor(
      `upgrade to ${version} finished`,
      async () =>
        (await status()).attempts.find(
          (a: AgentUpgradeAttempt) =>
            a.toVersion === version && ['succeeded', 'failed', 'rolled-back'].includes(a.state),
        ),
      300_000,
      500,
    );
  const upgradeNow = () =>
    waitFor(
      'the upgrade-now request reaches the agent',
      async () => {
        const action: unknown = JSON.parse(
          await cli('device', 'upgrade-agent', deviceId, '--json'),
        );
        return typeof action === 'object' &&
          action !== null &&
          'state' in action &&
          action.state !== 'not-connected'
          ? action
          : undefined;
      },
      60_000,
      1000,
    );
  const reported = async () =>
    (await api.listDevices({ limit: 100 })).items.find((d) => d.id === deviceId)?.agentVersion;
  const installedVersion = () =>
    readFileSync(join(prefix, 'usr/lib/steward-agent/VERSION'), 'utf8').trim();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'steward-sea-upgrade-'));
    const out = (v: string) => join(root ?? '', `build-${v}`);
    const tarballs = Object.fromEntries(
      [V1, V2, BROKEN].map((v) => [v, build('build-tarball.sh', out(v), v)]),
    );
    seas = {
      [V1]: build('build-sea.sh', out(V1), V1),
      [V2]: build('build-sea.sh', out(V2), V2),
    };
    // A release whose executable does not start (a truncated or wrong-architecture build).
    const broken = join(out(BROKEN), `steward-agent-${BROKEN}-linux-${process.arch}`);
    writeFileSync(broken, '#!/bin/sh\necho "steward-agent: cannot execute" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    seas[BROKEN] = broken;

    site = await createTestSite({ dialect: 'sqlite', withEnrolledDevices: 0 });
    api = site.api;
    cliEnv = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    for (const v of [V1, V2, BROKEN])
      await cli('agent-version', 'add', versionFolder(root, v, tarballs[v] ?? '', seas[v] ?? ''));
    await cli(
      'agent-version',
      'settings',
      'set',
      '--production',
      V1,
      '--upgrade-report-in-seconds',
      '900',
    );
    // V1 unpacked with its executable in bin/, as client push copies it to a machine without Node.js.
    const unpacked = join(root, 'v1-x');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarballs[V1] ?? '', '-C', unpacked]);
    copyFileSync(seas[V1] ?? '', join(unpacked, 'steward-agent/bin/steward-agent-sea'));
    chmodSync(join(unpacked, 'steward-agent/bin/steward-agent-sea'), 0o755);
    prefix = join(root, 'machine');
    state = join(prefix, 'state');
    const token = (await api.createToken({ description: 'sea upgrade test', maxUses: 1 })).token;
    const r = await runProcess(
      '/bin/sh',
      [
        join(unpacked, 'steward-agent/install-agent.sh'),
        ...['--token', token ?? '', '--prefix', prefix, '--state-dir', state],
        ...['--service', 'none'],
      ],
      { env: { PATH: noNode, HOME: tmpdir(), LANG: 'C.UTF-8' } },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installLines(r.stdout).find((l) => l.step === 'files')?.detail).toContain('(sea)');
    const identity: unknown = JSON.parse(readFileSync(join(state, 'device.json'), 'utf8'));
    deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    await waitFor(`${deviceId} reports ${V1}`, async () => (await reported()) === V1);
  }, 900_000);

  afterAll(async () => {
    if (state) await stopDetached(state);
    await site?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('upgrades the single executable to the new version', async () => {
    await cli('agent-version', 'settings', 'set', '--production', V2);
    await upgradeNow();
    const done = await finished(V2);
    expect(done).toMatchObject({ state: 'succeeded', fromVersion: V1 });
    expect(installedVersion()).toBe(V2);
    await waitFor(`reports ${V2}`, async () => (await reported()) === V2);
    // Still the single executable: the installed program is the new one, byte for byte.
    const conf = readFileSync(join(prefix, 'usr/lib/steward-agent/install.conf'), 'utf8');
    expect(conf).toContain('runtime=sea');
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(sha(join(prefix, 'usr/lib/steward-agent/steward-agent'))).toBe(sha(seas[V2] ?? ''));
    const pid = pidOf(state);
    expect(pid !== undefined && alive(pid)).toBe(true);
  }, 600_000);

  it('an executable that does not start is rolled back to the previous one', async () => {
    await cli('agent-version', 'settings', 'set', '--production', BROKEN);
    await upgradeNow();
    const done = await finished(BROKEN);
    expect(done).toMatchObject({ state: 'rolled-back', errorCode: 'AGENT_UPGRADE_NOT_STARTED' });
    expect(done.reason).toContain(`new version ${BROKEN}`);
    expect(installedVersion()).toBe(V2);
    const pid = pidOf(state);
    expect(pid !== undefined && alive(pid)).toBe(true);
    expect(await reported()).toBe(V2);
  }, 600_000);
});
