/**
 * Agent upgrades through distribution points (issue 9, ADR 0042), all real processes: a site
 * server, two `steward server --roles dp` processes, and an agent installed by install-agent.sh
 * from a real tarball. The agent's address (loopback) is in a boundary group holding one DP; the
 * other DP is outside it. What the agent downloads, and from where, is read from the DPs' own
 * access logs, never assumed.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type AgentUpgradeAttempt,
  type ApiClient,
  type PackageContentStatus,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  REPO,
  startServerProcess,
  STEWARD,
  waitFor,
  type ServerHandle,
  type Site,
} from '../../../test-support/site.js';
import {
  installLines,
  pidOf,
  runProcess,
  stopDetached,
  tarballVersionFolder,
} from './install-harness.js';

const V1 = '9.7.1-dp';
const V2 = '9.7.2-dp';
const V3 = '9.7.3-dp';

function buildVersion(root: string, version: string): string {
  return execFileSync(
    'bash',
    [join(REPO, 'packages/agent/packaging/build-tarball.sh'), join(root, version)],
    {
      encoding: 'utf8',
      env: { ...process.env, STEWARD_AGENT_VERSION: version },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();
}

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Served {
  msg?: string;
  sha256?: string;
  deviceId?: string;
}

/** The DP's access log: the files it served, as its server.log says. */
function servedBy(dataDir: string): Served[] {
  const path = join(dataDir, 'server.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l): Served => {
      const v: unknown = JSON.parse(l);
      return typeof v === 'object' && v !== null ? v : {};
    })
    .filter((l) => l.msg === 'content file served');
}

describe('agent upgrades through distribution points (sqlite)', () => {
  let site: Site;
  let api: ApiClient;
  let root = '';
  let cliEnv: NodeJS.ProcessEnv = {};
  const tarballs: Record<string, string> = {};
  const dps: Record<'near' | 'far', { id: string; dir: string; proc?: ServerHandle }> = {
    near: { id: '', dir: '' },
    far: { id: '', dir: '' },
  };
  let prefix = '';
  let state = '';
  let deviceId = '';

  const cli = async (...args: string[]) => {
    const r = await exec(STEWARD, args, { env: cliEnv });
    expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const contentStatus = async (version: string): Promise<PackageContentStatus> =>
    api.call(ops.agentVersions.contentStatus, { params: { version } });
  const installedOn = (version: string, dpId: string) =>
    waitFor(
      `${version} installed on ${dpId}`,
      async () =>
        (await contentStatus(version)).distributionPoints.some(
          (d) => d.dpId === dpId && d.state === 'installed',
        ),
      120_000,
      250,
    );
  const attempts = async (): Promise<AgentUpgradeAttempt[]> =>
    (await api.call(ops.agentVersions.deviceUpgradeStatus, { params: { id: deviceId } })).attempts;
  /** "Upgrade now" (CLI), then the attempt's final state; `after` skips attempts already seen. */
  const upgradeNow = async (version: string, after: readonly string[] = []) => {
    await waitFor(
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
    return waitFor(
      `upgrade to ${version} finished`,
      async () =>
        (await attempts()).find(
          (a) =>
            a.toVersion === version &&
            !after.includes(a.attemptId) &&
            ['succeeded', 'failed', 'rolled-back'].includes(a.state),
        ),
      240_000,
      500,
    );
  };
  const agentVersion = async () =>
    (await api.listDevices({ limit: 10 })).items.find((d) => d.id === deviceId)?.agentVersion;
  const messages = async (messageId: number) =>
    (await api.listStatusMessages({ messageId, limit: 100 })).items.filter(
      (m) => m.deviceId === deviceId,
    );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'steward-upgrade-dp-'));
    for (const v of [V1, V2, V3]) tarballs[v] = buildVersion(root, v);
    site = await createTestSite({ dialect: 'sqlite', withEnrolledDevices: 0 });
    api = site.api;
    cliEnv = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(root, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    for (const v of [V1, V2, V3])
      await cli('agent-version', 'add', tarballVersionFolder(tarballs[v] ?? '').dir);
    // Fallback off: an agent may use only its own boundary groups' DPs (turned on in the last test).
    await cli(
      'agent-version',
      'settings',
      'set',
      '--production',
      V1,
      '--upgrade-report-in-seconds',
      '900',
      '--no-upgrade-fallback',
    );

    for (const name of ['near', 'far'] as const) {
      const reg = await api.createDistributionPoint({ name: `dp-${name}` });
      const dir = join(root, `dp-${name}`);
      mkdirSync(dir, { mode: 0o700 });
      dps[name] = {
        id: reg.distributionPoint.id,
        dir,
        proc: await startServerProcess({
          dataDir: dir,
          password: 'unused',
          roles: 'dp',
          env: { STEWARD_DP_POLL_SECONDS: '1', STEWARD_DP_TOKEN: reg.registrationToken },
        }),
      };
    }
    // The agent talks to the site from loopback: its boundary group holds dp-near only.
    await api.call(ops.boundaryGroups.create, { body: { name: 'here', dpIds: [dps.near.id] } });
    await api.call(ops.boundaryGroups.create, { body: { name: 'there', dpIds: [dps.far.id] } });
    const groups = await api.call(ops.boundaryGroups.list, {});
    const idOf = (n: string) => groups.find((g) => g.name === n)?.id ?? '';
    await api.call(ops.boundaries.create, {
      body: {
        name: 'loopback',
        type: 'subnet',
        value: '127.0.0.0/8',
        boundaryGroupIds: [idOf('here')],
      },
    });
    await api.call(ops.boundaries.create, {
      body: {
        name: 'elsewhere',
        type: 'subnet',
        value: '10.99.0.0/16',
        boundaryGroupIds: [idOf('there')],
      },
    });

    // Version 1 installed the way client push and /install.sh do it.
    const unpacked = join(root, 'v1-x');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarballs[V1] ?? '', '-C', unpacked]);
    const token = (await api.createToken({ description: 'dp upgrade', maxUses: 1 })).token ?? '';
    prefix = join(root, 'machine');
    state = join(prefix, 'state');
    const r = await runProcess(join(unpacked, 'steward-agent/install-agent.sh'), [
      '--token',
      token,
      '--prefix',
      prefix,
      '--state-dir',
      state,
      '--service',
      'none',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installLines(r.stdout).at(-1)).toMatchObject({ step: 'start', status: 'ok' });
    const identity: unknown = JSON.parse(readFileSync(join(state, 'device.json'), 'utf8'));
    deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    await waitFor('the agent reports version 1', async () => (await agentVersion()) === V1);
  }, 600_000);

  afterAll(async () => {
    if (state) await stopDetached(state);
    for (const dp of Object.values(dps)) await dp.proc?.stop();
    await site?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const installedVersion = () =>
    readFileSync(join(prefix, 'usr/lib/steward-agent/VERSION'), 'utf8').trim();

  it('a package tampered with on the DP is refused by hash and reported; nothing is replaced', async () => {
    const status: unknown = JSON.parse(
      await cli('agent-version', 'distribute', V2, '--dp', 'dp-near', '--json'),
    );
    expect(status).toMatchObject({ targeted: 1 });
    await installedOn(V2, dps.near.id);
    const sha = sha256Of(tarballs[V2] ?? '');
    const onDp = join(dps.near.dir, 'content', 'sha256', sha.slice(0, 2), sha);
    const bytes = readFileSync(onDp);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    writeFileSync(onDp, bytes);

    await cli('agent-version', 'settings', 'set', '--production', V2);
    const pidBefore = pidOf(state);
    const done = await upgradeNow(V2);
    expect(done).toMatchObject({ state: 'failed', errorCode: 'AGENT_UPGRADE_HASH_MISMATCH' });
    expect(done.reason).toContain('dp-near');
    // The DP did serve it (its access log), and the agent said which DP sent the wrong bytes.
    expect(servedBy(dps.near.dir)).toContainEqual(
      expect.objectContaining({ sha256: sha, deviceId }),
    );
    const refused = await waitFor('AGENT_UPGRADE_CONTENT_REFUSED', async () => {
      const list = await messages(52021);
      return list.length > 0 && list;
    });
    expect(refused[0]?.insertionStrings.slice(0, 3)).toEqual([
      basenameOf(tarballs[V2]),
      V2,
      'dp-near',
    ]);
    expect(refused[0]?.attributes.distributionPoint).toBe(dps.near.id);
    expect(installedVersion()).toBe(V1);
    expect(pidOf(state)).toBe(pidBefore);
  }, 600_000);

  it('downloads from the DP of its boundary group once the DP holds the right bytes', async () => {
    const sha = sha256Of(tarballs[V2] ?? '');
    const onDp = join(dps.near.dir, 'content', 'sha256', sha.slice(0, 2), sha);
    await cli('agent-version', 'validate', V2, '--dp', 'dp-near', '--json');
    await waitFor(
      'the DP repaired its copy',
      () => existsSync(onDp) && sha256Of(onDp) === sha,
      120_000,
      250,
    );
    await installedOn(V2, dps.near.id);
    const servedBefore = servedBy(dps.near.dir).length;
    const earlier = (await attempts()).map((a) => a.attemptId);

    const done = await upgradeNow(V2, earlier);
    expect(done).toMatchObject({ state: 'succeeded', fromVersion: V1 });
    await waitFor('the agent reports version 2', async () => (await agentVersion()) === V2);
    expect(installedVersion()).toBe(V2);
    expect(servedBy(dps.near.dir).slice(servedBefore)).toContainEqual(
      expect.objectContaining({ sha256: sha, deviceId }),
    );
    expect(servedBy(dps.far.dir)).toEqual([]);
    const downloaded = await messages(52020);
    expect(downloaded.map((m) => m.insertionStrings[2])).toContain('dp-near');
  }, 600_000);

  it('no DP of its boundary group holds the version: refused without fallback, then the fallback DP', async () => {
    await cli('agent-version', 'distribute', V3, '--dp', 'dp-far');
    await installedOn(V3, dps.far.id);
    const sha = sha256Of(tarballs[V3] ?? '');
    await cli('agent-version', 'settings', 'set', '--production', V3);

    const refused = await upgradeNow(V3);
    expect(refused).toMatchObject({ state: 'failed', errorCode: 'AGENT_UPGRADE_DOWNLOAD_FAILED' });
    expect(refused.reason).toContain('no distribution point');
    expect(servedBy(dps.far.dir)).toEqual([]);
    expect(installedVersion()).toBe(V2);

    await cli('agent-version', 'settings', 'set', '--upgrade-fallback');
    const done = await upgradeNow(V3, [refused.attemptId]);
    expect(done).toMatchObject({ state: 'succeeded', fromVersion: V2 });
    await waitFor('the agent reports version 3', async () => (await agentVersion()) === V3);
    expect(installedVersion()).toBe(V3);
    expect(servedBy(dps.far.dir)).toContainEqual(
      expect.objectContaining({ sha256: sha, deviceId }),
    );
    // The console's and CLI's view of the version on the DPs.
    const view: unknown = JSON.parse(await cli('agent-version', 'content-status', V3, '--json'));
    expect(view).toMatchObject({ targeted: 1, installed: 1 });
  }, 600_000);
});

function basenameOf(path: string | undefined): string {
  return (path ?? '').split('/').at(-1) ?? '';
}
