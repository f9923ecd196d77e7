/**
 * Self-upgrade of an agent installed from the .deb (issue 9, ADR 0036), for real: agent versions
 * built by the real build-deb.sh, installed by the real dpkg into a sandbox root with its own
 * dpkg database (deb-sandbox.ts; this machine's packages are not touched), enrolled to a real
 * site. The agent downloads the new and the previous .deb, verifies both against the signed
 * policy, and upgrade-deb.sh installs with dpkg -i, watches the new version report in and
 * otherwise reinstalls the previous .deb; apt/dpkg holding its lock fails the attempt with
 * nothing replaced.
 *
 * There is no systemd on this machine: the agent runs without a service manager
 * (`--service none`: upgrade-deb.sh restarts it from $state/agent.pid). Under systemd the
 * .deb's postinst restarts the unit instead; that path is not run here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type AgentUpgradeAttempt,
  type ApiClient,
  type DeviceUpgradeStatus,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  buildBrokenDeb,
  buildDeb,
  buildTarballOf,
  debVersionFolder,
  dpkgInstall,
  installedDebVersion,
  makeDpkgRoot,
  startDebAgent,
} from './deb-sandbox.js';
import { alive, pidOf, runProcess, stopDetached } from './install-harness.js';

const V1 = '9.7.1-test';
const V2 = '9.7.2-test';
const BROKEN = '9.7.3-test';
const BUSY = '9.7.4-test';

let built: Record<string, { deb: string; tarball: string }> | undefined;
let buildDir: string | undefined;
afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});
function buildAll(): Record<string, { deb: string; tarball: string }> {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'steward-deb-builds-'));
  buildDir = dir;
  // Every version also has its tarball: a registered version must (install-agent.sh's package).
  const both = (v: string, deb: string) => ({ deb, tarball: buildTarballOf(join(dir, v), v) });
  built = {
    [V1]: both(V1, buildDeb(join(dir, V1), V1)),
    [V2]: both(V2, buildDeb(join(dir, V2), V2)),
    [BROKEN]: both(
      BROKEN,
      buildBrokenDeb(
        dir,
        BROKEN,
        "console.error('steward-agent: this build is broken'); process.exit(1);\n",
      ),
    ),
    [BUSY]: both(BUSY, buildDeb(join(dir, BUSY), BUSY)),
  };
  return built;
}

/** Holds dpkg's frontend lock (a POSIX record lock, as apt holds it) until killed. */
function holdDpkgLock(root: string): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/python3',
    [
      '-c',
      'import fcntl,sys,time\nf=open(sys.argv[1],"w")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(600)',
      join(root, 'var/lib/dpkg/lock-frontend'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('error', reject);
  });
}

const dialects: TestDialect[] = (await pgReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(dialects)('agent self-upgrade from the .deb (%s)', (dialect) => {
  let site: Site;
  let api: ApiClient;
  /** The test's own temporary folder (removed at the end), and the machine's dpkg root in it. */
  let base: string | undefined;
  let root = '';
  let state = '';
  let deviceId = '';
  let cliEnv: NodeJS.ProcessEnv;
  let debs: Record<string, { deb: string; tarball: string }> = {};

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
      180_000,
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

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'steward-deb-upgrade-'));
    debs = buildAll();
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    api = site.api;
    cliEnv = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    for (const [version, pkg] of Object.entries(debs))
      await cli(
        'agent-version',
        'add',
        debVersionFolder(base ?? '', pkg.deb, pkg.tarball, version),
      );
    await cli(
      'agent-version',
      'settings',
      'set',
      '--production',
      V1,
      '--upgrade-report-in-seconds',
      '900',
    );
    // The machine: V1 from its .deb by the real dpkg, enrolled, running without systemd.
    root = join(base, 'machine');
    state = join(root, 'var/lib/steward-agent');
    makeDpkgRoot(root);
    const installed = await dpkgInstall(root, debs[V1]?.deb ?? '');
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect(installedDebVersion(root)).toBe(`${V1}-1`);
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const token = (await api.createToken({ description: 'deb upgrade test', maxUses: 1 })).token;
    const enrolled = await runProcess(
      process.execPath,
      [join(root, 'usr/lib/steward-agent/steward-agent.mjs'), 'enroll', '--token', token ?? ''],
      { env: { ...process.env, STEWARD_AGENT_STATE_DIR: state } },
    );
    expect(enrolled.code, enrolled.stdout + enrolled.stderr).toBe(0);
    const identity: unknown = JSON.parse(readFileSync(join(state, 'device.json'), 'utf8'));
    deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    startDebAgent(root, state);
    await waitFor(`${deviceId} reports ${V1}`, async () => (await reported()) === V1);
  }, 600_000);

  afterAll(async () => {
    if (state) await stopDetached(state);
    await site?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('upgrades with dpkg to the production version, keeping the previous .deb to roll back to', async () => {
    await cli('agent-version', 'settings', 'set', '--production', V2);
    expect(await status()).toMatchObject({ rollout: 'production', targetVersion: V2 });
    await upgradeNow();
    const done = await finished(V2);
    expect(done).toMatchObject({ state: 'succeeded', fromVersion: V1, errorCode: null });
    expect(installedDebVersion(root)).toBe(`${V2}-1`);
    await waitFor(`reports ${V2}`, async () => (await reported()) === V2);
    const pid = pidOf(state);
    expect(pid !== undefined && alive(pid)).toBe(true);
    // Both .debs were downloaded and verified into the attempt folder before dpkg ran.
    const attemptDir = join(state, 'upgrade', done.attemptId);
    expect(existsSync(join(attemptDir, 'new.deb'))).toBe(true);
    expect(existsSync(join(attemptDir, 'previous.deb'))).toBe(true);
    expect(readFileSync(join(attemptDir, 'upgrade.log'), 'utf8')).toContain(
      `installing ${V2} over ${V1}-1`,
    );
  }, 600_000);

  it('a version that exits at start is rolled back by reinstalling the previous .deb', async () => {
    await cli('agent-version', 'settings', 'set', '--production', BROKEN);
    await upgradeNow();
    const done = await finished(BROKEN);
    expect(done.state).toBe('rolled-back');
    expect(done.errorCode).toBe('AGENT_UPGRADE_NOT_STARTED');
    expect(done.reason).toContain(`new version ${BROKEN} exited before reporting in`);
    expect(installedDebVersion(root)).toBe(`${V2}-1`);
    const pid = pidOf(state);
    expect(pid !== undefined && alive(pid)).toBe(true);
    expect(await reported()).toBe(V2);
    const rolledBack: unknown = JSON.parse(
      await cli('agent-version', 'upgrades', '--state', 'rolled-back', '--json'),
    );
    expect(rolledBack).toEqual([
      expect.objectContaining({ deviceId, toVersion: BROKEN, fromVersion: V2 }),
    ]);
  }, 600_000);

  it('while apt/dpkg holds its lock the upgrade waits, then fails with nothing replaced', async () => {
    const pidBefore = pidOf(state);
    const lock = await holdDpkgLock(root);
    try {
      await cli(
        'agent-version',
        'settings',
        'set',
        '--production',
        BUSY,
        '--upgrade-report-in-seconds',
        '10',
      );
      await upgradeNow();
      const done = await finished(BUSY);
      expect(done).toMatchObject({ state: 'failed', errorCode: 'AGENT_UPGRADE_DPKG_BUSY' });
      expect(done.reason).toContain('apt/dpkg held its lock for 10 s');
      expect(done.reason).toContain('nothing was replaced');
    } finally {
      lock.kill();
    }
    expect(installedDebVersion(root)).toBe(`${V2}-1`);
    expect(pidOf(state)).toBe(pidBefore);
    expect(await reported()).toBe(V2);
  }, 600_000);
});
