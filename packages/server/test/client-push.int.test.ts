/**
 * Client push over SSH (issue 9) end to end: a real site server process, real sshd processes on
 * loopback addresses (test-support/sshd-hosts.ts), the real agent tarball and install-agent.sh.
 * A push succeeds only once the pushed agent has enrolled and reported its inventory.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type ApiClient,
  type PushAccount,
  type PushTarget,
  type PushTargetState,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  STEWARD,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  makeKeyPair,
  randomLoopback,
  startSshHost,
  type SshHost,
  type SshKeyPair,
} from '../../../test-support/sshd-hosts.js';
import { postgresReachable } from './support/db.js';
import { ensureAgentTarball, makeTarballProduction } from '../../../test-support/agent-package.js';

async function waitForState(
  api: ApiClient,
  targetId: string,
  states: readonly PushTargetState[],
  timeoutMs = 90_000,
  minAttempts = 0,
): Promise<PushTarget> {
  return waitFor(
    `target ${targetId} in ${states.join('/')}`,
    async () => {
      const t = await api.call(ops.clientPush.getTarget, { params: { id: targetId } });
      return states.includes(t.state) && t.attempts >= minAttempts ? t : undefined;
    },
    timeoutMs,
    200,
  );
}

async function push(api: ApiClient, account: string, hosts: string[]): Promise<PushTarget[]> {
  const job = await api.call(ops.clientPush.startJob, { body: { account, hosts } });
  return job.targets;
}

const dialects: TestDialect[] = ['sqlite', 'postgres'];

describe.each(dialects)('client push over SSH (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let key: SshKeyPair;
  let account: PushAccount;
  let production = '';
  const hosts: SshHost[] = [];
  let skip = false;
  const haveTarball = ensureAgentTarball() !== undefined;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresReachable())) {
      skip = true;
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'steward-push-test-'));
    key = makeKeyPair(dir, 'push');
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
    production = await makeTarballProduction(site.api);
    account = await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'root key', user: 'root', privateKey: key.privateKey, serviceMode: 'none' },
    });
    await site.api.call(ops.clientPush.updateSettings, {
      body: { connectTimeoutSeconds: 5, enrolmentTimeoutSeconds: 90 },
    });
  }, 180_000);

  afterAll(async () => {
    for (const h of hosts) await h.stop();
    if (site) await site.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function host(opts: Partial<Parameters<typeof startSshHost>[0]> = {}): Promise<SshHost> {
    const h = await startSshHost({ authorizedKeys: [key.publicKey], ...opts });
    hosts.push(h);
    return h;
  }

  it('never returns or logs the account secrets', async () => {
    if (skip) return;
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'by password', user: 'admin2', password },
    });
    const listed = JSON.stringify(await site.api.call(ops.clientPush.listAccounts, {}));
    expect(listed).toContain('root key');
    expect(listed).not.toContain(password);
    expect(listed).not.toContain('OPENSSH PRIVATE KEY');
    const body = key.privateKey.split('\n')[2] ?? 'x';
    const log = readFileSync(join(site.dir, 'server', 'server.log'), 'utf8');
    expect(log).not.toContain(password);
    expect(log).not.toContain(body);
    await site.api.call(ops.clientPush.deleteAccount, { params: { id: 'by password' } });
  });

  it('a machine enrolled by hand is recognised and not pushed', async () => {
    if (skip) return;
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    const [t] = await push(site.api, account.name, [device.name]);
    expect(t?.state).toBe('skipped-already-client');
    expect(t?.reason).toContain(device.id);
  });

  it('wrong credentials fail with PUSH_AUTH_FAILED and a retry', async () => {
    if (skip) return;
    const other = makeKeyPair(dir, 'other');
    await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'wrong key', user: 'root', privateKey: other.privateKey, serviceMode: 'none' },
    });
    const h = await host();
    const [t] = await push(site.api, 'wrong key', [h.target]);
    const done = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
    expect(done.state).toBe('retry-scheduled');
    expect(done.lastErrorCode).toBe('PUSH_AUTH_FAILED');
  });

  it('an unreachable host is retried an hour later, and succeeds once it is back', async () => {
    if (skip) return;
    const address = randomLoopback();
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const [t] = await push(site.api, account.name, [`${address}:${port}`]);
    const failed = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
    expect(failed.state).toBe('retry-scheduled');
    expect(failed.lastErrorCode).toBe('PUSH_UNREACHABLE');
    const inMinutes =
      (Date.parse(failed.nextAttemptAt ?? '') - Date.parse(failed.updatedAt)) / 60_000;
    expect(inMinutes).toBeCloseTo(60, 0);
    if (!haveTarball) return;
    await host({ address, port });
    await site.api.call(ops.clientPush.retryTarget, { params: { id: t?.id ?? '' } });
    const ok = await waitForState(
      site.api,
      t?.id ?? '',
      ['succeeded', 'failed', 'retry-scheduled'],
      150_000,
      2,
    );
    expect(ok.state, JSON.stringify(ok)).toBe('succeeded');
    const detail = await site.api.call(ops.clientPush.getTarget, { params: { id: t?.id ?? '' } });
    expect(detail.attemptLog.length).toBe(2);
  }, 240_000);

  it('retries at the configured interval, and gives up once the retry period is over', async () => {
    if (skip) return;
    const unreachable = () => `${randomLoopback()}:${20_000 + Math.floor(Math.random() * 40_000)}`;
    try {
      await site.api.call(ops.clientPush.updateSettings, { body: { retryIntervalMinutes: 5 } });
      const [t] = await push(site.api, account.name, [unreachable()]);
      const retry = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
      expect(retry.state).toBe('retry-scheduled');
      const inMinutes =
        (Date.parse(retry.nextAttemptAt ?? '') - Date.parse(retry.updatedAt)) / 60_000;
      expect(inMinutes).toBeCloseTo(5, 0);

      // A retry period of 0 days: the next try would fall after it, so the target gives up.
      await site.api.call(ops.clientPush.updateSettings, { body: { retryForDays: 0 } });
      const [u] = await push(site.api, account.name, [unreachable()]);
      const gaveUp = await waitForState(site.api, u?.id ?? '', ['retry-scheduled', 'failed']);
      expect(gaveUp).toMatchObject({
        state: 'failed',
        lastErrorCode: 'PUSH_UNREACHABLE',
        nextAttemptAt: null,
      });
    } finally {
      await site.api.call(ops.clientPush.updateSettings, {
        body: { retryIntervalMinutes: 60, retryForDays: 7 },
      });
    }
  });

  it('holds no more SSH sessions at once than the setting allows', async () => {
    if (skip || !haveTarball) return;
    try {
      await site.api.call(ops.clientPush.updateSettings, { body: { maxConcurrentSessions: 1 } });
      const targets = await push(site.api, account.name, [
        (await host()).target,
        (await host()).target,
      ]);
      const sessions: { from: number; to: number }[] = [];
      for (const t of targets) {
        const done = await waitForState(
          site.api,
          t.id,
          ['succeeded', 'failed', 'retry-scheduled'],
          150_000,
        );
        const detail = await site.api.call(ops.clientPush.getTarget, { params: { id: t.id } });
        const log = detail.attemptLog[0]?.log ?? [];
        expect(done.state, log.join('\n')).toBe('succeeded');
        // A line is "<ISO time> <text>": the session is held from the attempt's first line until
        // install-agent.sh has exited (then it closes, before the wait for enrolment).
        const at = (text: string) =>
          Date.parse(log.find((l) => l.includes(text))?.split(' ')[0] ?? '');
        sessions.push({ from: at(' attempt 1 at '), to: at(' install-agent.sh exited ') });
      }
      sessions.sort((x, y) => x.from - y.from);
      const [first, second] = sessions as [
        { from: number; to: number },
        { from: number; to: number },
      ];
      expect(Number.isFinite(first.to) && Number.isFinite(second.from)).toBe(true);
      expect(second.from).toBeGreaterThanOrEqual(first.to);
    } finally {
      await site.api.call(ops.clientPush.updateSettings, { body: { maxConcurrentSessions: 10 } });
    }
  }, 400_000);

  it('an unsupported OS fails at once, with no retry', async () => {
    if (skip) return;
    const h = await host({ osRelease: 'ID=centos\nVERSION_ID="7"\n' });
    const [t] = await push(site.api, account.name, [h.target]);
    const done = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
    expect(done.state).toBe('failed');
    expect(done.lastErrorCode).toBe('PUSH_UNSUPPORTED_OS');
  });

  it('insufficient disk in the install prefix fails with PUSH_DISK_LOW', async () => {
    if (skip) return;
    const h = await host({ prefixTmpfsKb: 1024 });
    const [t] = await push(site.api, account.name, [h.target]);
    const done = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
    expect(done.lastErrorCode).toBe('PUSH_DISK_LOW');
    const detail = await site.api.call(ops.clientPush.getTarget, { params: { id: t?.id ?? '' } });
    expect(detail.attemptLog[0]?.log.join('\n')).toMatch(/free=\d+MB/);
  });

  it('records the host key at first contact and refuses a changed one', async () => {
    if (skip) return;
    const h = await host();
    const test = await site.api.call(ops.clientPush.testAccount, {
      params: { id: account.name },
      body: { host: h.target },
    });
    expect(test.ok, test.log.join('\n')).toBe(true);
    const keys = await site.api.call(ops.clientPush.listHostKeys, {});
    expect(keys.find((k) => k.host === h.address && k.port === h.port)?.fingerprint).toBe(
      h.hostKeyFingerprint,
    );
    await h.stopSshd();
    h.newHostKey();
    await h.start();
    const [t] = await push(site.api, account.name, [h.target]);
    const done = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
    expect(done.lastErrorCode).toBe('PUSH_HOST_KEY_CHANGED');
    const messages = await site.api.call(ops.status.listMessages, { query: { messageId: 51003 } });
    expect(JSON.stringify(messages)).toContain(h.hostKeyFingerprint);
    // The administrator accepts the new key: forget, then the next contact records it.
    await site.api.call(ops.clientPush.forgetHostKey, { params: { host: h.target } });
    const again = await site.api.call(ops.clientPush.testAccount, {
      params: { id: account.name },
      body: { host: h.target },
    });
    expect(again.ok, again.log.join('\n')).toBe(true);
  });

  it('pushes the agent: succeeded only once it enrolled and reported inventory', async () => {
    if (skip || !haveTarball) return;
    const h = await host();
    const [t] = await push(site.api, account.name, [h.target]);
    const done = await waitForState(
      site.api,
      t?.id ?? '',
      ['succeeded', 'failed', 'retry-scheduled'],
      150_000,
    );
    const detail = await site.api.call(ops.clientPush.getTarget, { params: { id: t?.id ?? '' } });
    expect(done.state, detail.attemptLog.flatMap((a) => a.log).join('\n')).toBe('succeeded');
    const device = await site.api.call(ops.devices.get, { params: { id: done.deviceId ?? '' } });
    expect(device.lastInventoryAt).not.toBeNull();
    const log = detail.attemptLog[0]?.log.join('\n') ?? '';
    // The package is the production version's, from the content library.
    expect(log).toContain(
      `agent ${production} (production): steward-agent-${production}-linux.tar.gz`,
    );
    expect(log).toContain('install: step=');
    expect(log).not.toMatch(/--token [A-Za-z0-9]/);
    expect(existsSync(h.stateDir)).toBe(true);
    // A target that succeeded is not pushed again.
    const [again] = await push(site.api, account.name, [h.target]);
    expect(again?.state).toBe('skipped-already-client');
    expect(again?.reason).toContain('already pushed');
  }, 200_000);

  it('with no production agent version, an attempt fails saying so and is retried', async () => {
    if (skip || !haveTarball) return;
    await site.api.call(ops.agentVersions.updateSettings, { body: { productionVersion: null } });
    try {
      const h = await host();
      const [t] = await push(site.api, account.name, [h.target]);
      const done = await waitForState(site.api, t?.id ?? '', ['retry-scheduled', 'failed']);
      expect(done.state).toBe('retry-scheduled');
      expect(done.lastErrorCode).toBe('PUSH_NO_PRODUCTION_VERSION');
      expect(done.lastError).toContain('steward agent-version settings --production');
    } finally {
      await site.api.call(ops.agentVersions.updateSettings, {
        body: { productionVersion: production },
      });
    }
  });

  it('steward push: account add, start, status --json and log', async () => {
    if (skip) return;
    const cliEnv = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    const steward = (args: string[], input?: string) =>
      exec(STEWARD, ['push', ...args], { env: cliEnv, ...(input !== undefined ? { input } : {}) });
    const keyFile = join(dir, 'cli-key');
    writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    const add = await steward([
      'account',
      'add',
      'cli',
      '--user',
      'root',
      '--key-file',
      keyFile,
      '--service',
      'none',
    ]);
    expect(add.code, add.stderr).toBe(0);
    const list = await steward(['account', 'list', '--json']);
    expect(list.stdout).toContain('"cli"');
    expect(list.stdout).not.toContain('PRIVATE KEY');
    const h = await host({ osRelease: 'ID=alpine\nVERSION_ID=3.20\n' });
    const start = await steward(['start', '--hosts', h.target, '--account', 'cli', '--json']);
    expect(start.code, start.stderr).toBe(0);
    const job: unknown = JSON.parse(start.stdout);
    const jobId = typeof job === 'object' && job !== null && 'id' in job ? String(job.id) : '';
    await waitFor('the CLI to show the target failed', async () => {
      const st = await steward(['status', jobId, '--json']);
      return st.stdout.includes('PUSH_UNSUPPORTED_OS');
    });
    const log = await steward(['log', h.target]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain('unsupported operating system "alpine"');
    const missing = await steward(['start', '--account', 'cli']);
    expect(missing.code).toBe(2);
  });
});
