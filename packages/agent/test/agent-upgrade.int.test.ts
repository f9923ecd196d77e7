/**
 * Agent self-upgrade end to end (issue 9, ADR 0027): agent versions built by the real packaging
 * with a version override, installed by install-agent.sh (--service none, own prefix and state
 * directory) on two "machines" enrolled to a real site; pre-production to one collection, then
 * promote; a broken version rolls back by itself and says why; a tampered package is refused
 * before anything is replaced.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type AgentUpgradeAttempt,
  type ApiClient,
  type ClientStatusDevice,
  type ClientStatusSummary,
  type DeviceUpgradeStatus,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  REPO,
  STEWARD,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  alive,
  installLines,
  pidOf,
  runProcess,
  stopDetached,
  tarballVersionFolder,
} from './install-harness.js';

const V1 = '9.9.1-test';
const V2 = '9.9.2-test';
const BROKEN = '9.9.3-test';
const TAMPERED = '9.9.4-test';
const HANGS = '9.9.5-test';

/** The real tarball of `version` (build-tarball.sh with STEWARD_AGENT_VERSION). */
function buildVersion(root: string, version: string): string {
  const out = join(root, `build-${version}`);
  return execFileSync('bash', [join(REPO, 'packages/agent/packaging/build-tarball.sh'), out], {
    encoding: 'utf8',
    env: { ...process.env, STEWARD_AGENT_VERSION: version },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** A real tarball of `version` whose agent is `script` (a broken release). */
function buildBroken(root: string, version: string, script: string): string {
  const good = buildVersion(root, version);
  const x = join(root, `broken-x-${version}`);
  mkdirSync(x, { recursive: true });
  execFileSync('tar', ['-xzf', good, '-C', x]);
  writeFileSync(join(x, 'steward-agent/lib/steward-agent.mjs'), script);
  const out = join(root, `broken-${version}`, basename(good));
  mkdirSync(join(root, `broken-${version}`), { recursive: true });
  execFileSync('tar', ['-czf', out, '-C', x, 'steward-agent']);
  return out;
}

interface Machine {
  prefix: string;
  state: string;
  deviceId: string;
  installedVersion(): string;
}

/** The four versions, built once for both dialects. */
let built: Record<string, string> | undefined;
let buildDir: string | undefined;
afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});
function buildAll(): Record<string, string> {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'steward-upgrade-builds-'));
  buildDir = dir;
  built = {
    [V1]: buildVersion(dir, V1),
    [V2]: buildVersion(dir, V2),
    [BROKEN]: buildBroken(
      dir,
      BROKEN,
      "console.error('steward-agent: this build is broken'); process.exit(1);\n",
    ),
    // Starts and stays up, but never fetches policy nor sends a heartbeat.
    [HANGS]: buildBroken(dir, HANGS, 'setInterval(() => undefined, 60_000);\n'),
    [TAMPERED]: buildVersion(dir, TAMPERED),
  };
  return built;
}

const dialects: TestDialect[] = (await pgReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(dialects)(
  'agent self-upgrade (%s): pre-production, promote, rollback, tampered package',
  (dialect) => {
    let site: Site;
    let api: ApiClient;
    let root: string;
    let cliEnv: NodeJS.ProcessEnv;
    const machines: Machine[] = [];
    let tarballs: Record<string, string> = {};

    const cli = async (...args: string[]) => {
      const r = await exec(STEWARD, args, { env: cliEnv });
      expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const status = (id: string): Promise<DeviceUpgradeStatus> =>
      api.call(ops.agentVersions.deviceUpgradeStatus, { params: { id } });
    const attemptTo = async (id: string, version: string, states: readonly string[]) =>
      waitFor(
        `device ${id}: upgrade to ${version} in ${states.join('/')}`,
        async () => {
          const s = await status(id);
          return s.attempts.find(
            (a: AgentUpgradeAttempt) => a.toVersion === version && states.includes(a.state),
          );
        },
        180_000,
        500,
      );
    /** "Upgrade now" through the CLI, again while the agent holds no push connection (restarting). */
    const upgradeNow = (id: string) =>
      waitFor(
        `the upgrade-now request reaches ${id}`,
        async () => {
          const action: unknown = JSON.parse(await cli('device', 'upgrade-agent', id, '--json'));
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
    const agentVersionOf = async (id: string) =>
      (await api.listDevices({ limit: 100 })).items.find((d) => d.id === id)?.agentVersion;
    /**
     * A client deployment dashboard (Monitoring > Client status, All Systems) through
     * `steward client-status --json`: its version, its counts, and the devices it reads Compliant.
     */
    const dashboard = async (rollout: 'production' | 'pre-production') => {
      const summary = JSON.parse(
        await cli('client-status', '--rollout', rollout, '--json'),
      ) as ClientStatusSummary;
      const compliant = JSON.parse(
        await cli('client-status', '--rollout', rollout, '--state', 'compliant', '--json'),
      ) as ClientStatusDevice[];
      return {
        expectedVersion: summary.expectedVersion,
        total: summary.total,
        counts: summary.counts,
        compliant: compliant.map((d) => d.deviceId).sort(),
      };
    };

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'steward-upgrade-test-'));
      tarballs = buildAll();
      site = await createTestSite({ dialect, withEnrolledDevices: 0 });
      api = site.api;
      cliEnv = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      for (const tarball of Object.values(tarballs))
        await cli('agent-version', 'add', tarballVersionFolder(tarball).dir);
      // A loaded machine can take long to start an agent: a good version must not be rolled back
      // for being slow (the report-in limit itself is tested with a version that never reports).
      await cli(
        'agent-version',
        'settings',
        'set',
        '--production',
        V1,
        '--upgrade-report-in-seconds',
        '900',
      );
      // Version 1 on two machines, installed the way client push and /install.sh do it.
      const unpacked = join(root, 'v1-x');
      mkdirSync(unpacked);
      execFileSync('tar', ['-xzf', tarballs[V1] ?? '', '-C', unpacked]);
      const token =
        (await api.createToken({ description: 'upgrade test', maxUses: 2 })).token ?? '';
      for (const n of ['a', 'b']) {
        const prefix = join(root, `machine-${n}`);
        const state = join(prefix, 'state');
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
        const deviceId =
          typeof identity === 'object' && identity !== null && 'deviceId' in identity
            ? String(identity.deviceId)
            : '';
        machines.push({
          prefix,
          state,
          deviceId,
          installedVersion: () =>
            readFileSync(join(prefix, 'usr/lib/steward-agent/VERSION'), 'utf8').trim(),
        });
      }
      for (const m of machines)
        await waitFor(
          `${m.deviceId} reports ${V1}`,
          async () => (await agentVersionOf(m.deviceId)) === V1,
        );
    }, 600_000);

    afterAll(async () => {
      for (const m of machines) await stopDetached(m.state);
      await site?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('upgrades the pre-production member to the pre-production version; the other stays', async () => {
      const [a, b] = machines as [Machine, Machine];
      const c = await api.createCollection({
        name: 'Pre-production clients',
        rules: [{ kind: 'direct', deviceId: a.deviceId }],
      });
      await waitFor(
        'collection evaluated',
        async () => (await api.getCollection(c.id)).memberCount === 1,
      );
      await cli(
        'agent-version',
        'settings',
        'set',
        '--preproduction',
        V2,
        '--preproduction-collection',
        c.id,
      );
      expect(await status(a.deviceId)).toMatchObject({
        rollout: 'pre-production',
        targetVersion: V2,
      });
      expect(await status(b.deviceId)).toMatchObject({ rollout: 'production', targetVersion: V1 });

      // "Upgrade now" (the administrator's expedited path): no random delay.
      await upgradeNow(a.deviceId);
      const done = await attemptTo(a.deviceId, V2, ['succeeded', 'failed', 'rolled-back']);
      expect(done).toMatchObject({
        state: 'succeeded',
        fromVersion: V1,
        rollout: 'pre-production',
      });
      await waitFor(
        `${a.deviceId} reports ${V2}`,
        async () => (await agentVersionOf(a.deviceId)) === V2,
      );
      expect(a.installedVersion()).toBe(V2);

      const json: unknown = JSON.parse(await cli('device', 'upgrade-status', a.deviceId, '--json'));
      expect(json).toMatchObject({ agentVersion: V2, targetVersion: V2 });
      expect(await agentVersionOf(b.deviceId)).toBe(V1);
      expect((await status(b.deviceId)).attempts).toEqual([]);
      expect(b.installedVersion()).toBe(V1);

      // The pre-production dashboard reads the upgraded member Compliant; the other device stays
      // on the production dashboard, Compliant on the production version.
      const pre = await waitFor('the pre-production dashboard reads Compliant', async () => {
        const d = await dashboard('pre-production');
        return d.counts.compliant === 1 ? d : undefined;
      });
      expect(pre).toMatchObject({ expectedVersion: V2, total: 1, compliant: [a.deviceId] });
      expect(pre.counts).toMatchObject({ failed: 0, 'in-progress': 0, 'not-started': 0 });
      const prod = await dashboard('production');
      expect(prod).toMatchObject({ expectedVersion: V1, total: 1, compliant: [b.deviceId] });
    }, 600_000);

    it('after promotion the production device upgrades too', async () => {
      const b = machines[1] as Machine;
      await cli('agent-version', 'promote', '--json');
      expect(await status(b.deviceId)).toMatchObject({ rollout: 'production', targetVersion: V2 });
      await upgradeNow(b.deviceId);
      const done = await attemptTo(b.deviceId, V2, ['succeeded', 'failed', 'rolled-back']);
      expect(done).toMatchObject({ state: 'succeeded', fromVersion: V1, rollout: 'production' });
      await waitFor(
        `${b.deviceId} reports ${V2}`,
        async () => (await agentVersionOf(b.deviceId)) === V2,
      );
      expect(b.installedVersion()).toBe(V2);

      // Production is now the promoted version: the production device reads Compliant on it, and
      // the pre-production member stays Compliant on its dashboard.
      const prod = await waitFor('the production dashboard reads Compliant on V2', async () => {
        const d = await dashboard('production');
        return d.counts.compliant === 1 ? d : undefined;
      });
      expect(prod).toMatchObject({ expectedVersion: V2, total: 1, compliant: [b.deviceId] });
      expect(await dashboard('pre-production')).toMatchObject({
        expectedVersion: V2,
        total: 1,
        compliant: [machines[0]?.deviceId],
      });
    }, 600_000);

    it('a version that exits at start is rolled back by the agent itself, which says why', async () => {
      const a = machines[0] as Machine;
      await cli('agent-version', 'settings', 'set', '--preproduction', BROKEN);
      await upgradeNow(a.deviceId);
      const done = await attemptTo(a.deviceId, BROKEN, ['succeeded', 'failed', 'rolled-back']);
      expect(done.state).toBe('rolled-back');
      expect(done.errorCode).toBe('AGENT_UPGRADE_NOT_STARTED');
      expect(done.reason).toContain(`new version ${BROKEN}`);
      expect(done.reason).toMatch(/exited|did not start/);
      // The previous version is back, and it is the one running and reporting.
      expect(a.installedVersion()).toBe(V2);
      const pid = pidOf(a.state);
      expect(pid !== undefined && alive(pid)).toBe(true);
      expect(await agentVersionOf(a.deviceId)).toBe(V2);
      const failed: unknown = JSON.parse(
        await cli('agent-version', 'upgrades', '--state', 'rolled-back', '--json'),
      );
      expect(failed).toEqual([
        expect.objectContaining({ deviceId: a.deviceId, toVersion: BROKEN }),
      ]);
    }, 600_000);

    it('a package whose bytes differ from the signed hash is refused before anything is replaced', async () => {
      const a = machines[0] as Machine;
      const pidBefore = pidOf(a.state);
      const sha = createHash('sha256')
        .update(readFileSync(tarballs[TAMPERED] ?? ''))
        .digest('hex');
      // The content library's copy is altered on disk (a corrupted or tampered store or DP).
      const stored = join(site.dir, 'server', 'content', 'sha256', sha.slice(0, 2), sha);
      expect(existsSync(stored)).toBe(true);
      const bytes = readFileSync(stored);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
      writeFileSync(stored, bytes);

      await cli('agent-version', 'settings', 'set', '--preproduction', TAMPERED);
      await upgradeNow(a.deviceId);
      const done = await attemptTo(a.deviceId, TAMPERED, ['succeeded', 'failed', 'rolled-back']);
      expect(done.state).toBe('failed');
      expect(done.errorCode).toBe('AGENT_UPGRADE_HASH_MISMATCH');
      expect(done.reason).toContain(sha);
      // Nothing replaced, nothing restarted.
      expect(a.installedVersion()).toBe(V2);
      expect(pidOf(a.state)).toBe(pidBefore);
      expect(await agentVersionOf(a.deviceId)).toBe(V2);
    }, 600_000);

    it('a version that runs but does not report in within the limit is rolled back', async () => {
      const a = machines[0] as Machine;
      await cli(
        'agent-version',
        'settings',
        'set',
        '--preproduction',
        HANGS,
        '--upgrade-report-in-seconds',
        '10',
      );
      await upgradeNow(a.deviceId);
      const done = await attemptTo(a.deviceId, HANGS, ['succeeded', 'failed', 'rolled-back']);
      expect(done).toMatchObject({ state: 'rolled-back', errorCode: 'AGENT_UPGRADE_NO_REPORT_IN' });
      expect(done.reason).toBe(`new version ${HANGS} did not report in within 10 s`);
      expect(a.installedVersion()).toBe(V2);
      expect(await agentVersionOf(a.deviceId)).toBe(V2);
    }, 600_000);

    it('an excluded device gets no client-version target at all', async () => {
      const b = machines[1] as Machine;
      const c = await api.createCollection({
        name: 'Excluded from client upgrade',
        rules: [{ kind: 'direct', deviceId: b.deviceId }],
      });
      await waitFor(
        'collection evaluated',
        async () => (await api.getCollection(c.id)).memberCount === 1,
      );
      await cli('agent-version', 'settings', 'set', '--exclusion-collection', c.id);
      expect(await status(b.deviceId)).toMatchObject({ rollout: 'excluded', targetVersion: null });
    }, 600_000);
  },
);
