/**
 * Client push picks the right package (issue 9): a real site, the real packages of
 * `npm run package:agent` registered as the production version (tarball and single executable),
 * and two real sshd hosts on loopback addresses, one of them a machine without Node.js (its node
 * binary hidden in the host's private mount namespace). One push job: the host with Node.js 20
 * gets the tarball only, the host without gets the single executable as well, and both agents
 * enrol and report their inventory.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type AgentPackageManifest,
  type PushAccount,
  type PushTarget,
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
  makeKeyPair,
  startSshHost,
  type SshHost,
  type SshKeyPair,
} from '../../../test-support/sshd-hosts.js';
import { buildAllPackages } from './install-harness.js';

const dialects: TestDialect[] = (await pgReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];

/** The packages, built once for both dialects. */
let built: string | undefined;
afterAll(() => {
  if (built) rmSync(built, { recursive: true, force: true });
});
function packages(): string {
  built ??= buildAllPackages();
  return built;
}

describe.each(dialects)('client push picks the package for the target (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let key: SshKeyPair;
  let account: PushAccount;
  let manifest: AgentPackageManifest;
  const hosts: SshHost[] = [];

  const cli = async (...args: string[]) => {
    const r = await exec(STEWARD, args, {
      env: {
        STEWARD_CONFIG_DIR: join(dir, 'cli'),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      },
    });
    expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    const out = packages();
    manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as AgentPackageManifest;
    dir = mkdtempSync(join(tmpdir(), 'steward-push-sea-test-'));
    key = makeKeyPair(dir, 'push');
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    await cli('agent-version', 'add', out);
    await cli('agent-version', 'settings', 'set', '--production', manifest.version);
    account = await site.api.call(ops.clientPush.createAccount, {
      body: { name: 'root key', user: 'root', privateKey: key.privateKey, serviceMode: 'none' },
    });
    await site.api.call(ops.clientPush.updateSettings, {
      body: { connectTimeoutSeconds: 10, enrolmentTimeoutSeconds: 120 },
    });
    hosts.push(await startSshHost({ authorizedKeys: [key.publicKey] }));
    hosts.push(await startSshHost({ authorizedKeys: [key.publicKey], withoutNode: true }));
  }, 600_000);

  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('copies the tarball where Node.js 20 runs and adds the single executable where none does', async () => {
    const [withNode, noNode] = hosts as [SshHost, SshHost];
    const job = await site.api.call(ops.clientPush.startJob, {
      body: { account: account.name, hosts: [withNode.target, noNode.target] },
    });
    const done = async (host: SshHost) => {
      const id = job.targets.find((t) => t.host === host.address && t.port === host.port)?.id ?? '';
      const t: PushTarget = await waitFor(
        `push to ${host.target} finished`,
        async () => {
          const x = await site.api.call(ops.clientPush.getTarget, { params: { id } });
          return ['succeeded', 'failed', 'retry-scheduled'].includes(x.state) ? x : undefined;
        },
        240_000,
        250,
      );
      const detail = await site.api.call(ops.clientPush.getTarget, { params: { id } });
      const log = detail.attemptLog.flatMap((a) => a.log).join('\n');
      expect(t.state, log).toBe('succeeded');
      // Succeeded means enrolled and inventory reported (ADR 0030): the device has both.
      const device = await site.api.call(ops.devices.get, { params: { id: t.deviceId ?? '' } });
      expect(device.lastInventoryAt).not.toBeNull();
      return log;
    };
    const tarball = manifest.files.find((f) => f.kind === 'tarball')?.name ?? '';
    const sea = manifest.files.find((f) => f.kind === 'sea')?.name ?? '';
    expect(tarball).not.toBe('');
    expect(sea).not.toBe('');

    const withNodeLog = await done(withNode);
    expect(withNodeLog).toContain(`agent ${manifest.version} (production): ${tarball} (Node.js `);
    expect(withNodeLog).not.toContain(sea);

    const noNodeLog = await done(noNode);
    // Hidden as it is here, `node` is a file that does not run (bash's `command -v` still names it).
    expect(noNodeLog).toContain(
      `agent ${manifest.version} (production): ${tarball} + ${sea} (${realpathSync(process.execPath)} does not run (no version): single executable for ${process.arch})`,
    );
    expect(noNodeLog).toContain(`copying ${sea}`);
    // install-agent.sh installed the single executable as the agent.
    const installed = statSync(join(noNode.prefix, 'usr/lib/steward-agent/steward-agent'));
    expect(installed.mode & 0o111).not.toBe(0);
  }, 600_000);
});
