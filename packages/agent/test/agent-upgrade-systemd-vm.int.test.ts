/**
 * The .deb agent's self-upgrade through real systemd (issue 9, ADR 0036, ADR 0044), in a real
 * Debian bookworm VM under QEMU (test-support/vm): the path agent-upgrade-deb.int.test.ts cannot
 * run on this machine, where PID 1 is not systemd.
 *
 * One VM, booted once, for the three steps: the guest downloads the agent .deb from the site's
 * install route (CA checked against the site's fingerprint), installs it with dpkg, enrols, and
 * runs it as the systemd unit `steward-agent`; the site rolls out a newer version and the agent
 * upgrades itself (a transient `systemd-run` unit running upgrade-deb.sh, dpkg -i, the postinst's
 * deb-systemd-invoke restart); then a version that exits at start is rolled back by itself and
 * says why. Assertions are on what the site records and on systemd inside the guest.
 *
 * The guest reaches only the site: QEMU's user network with restrict=on and one forward,
 * 10.0.2.100:8443 in the guest to the site's agent listener on 127.0.0.1 (the site's public URL).
 * Skipped, with the reason, only when QEMU or the image tools are missing (.ci/run installs them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import {
  ops,
  type AgentUpgradeAttempt,
  type ApiClient,
  type DeviceUpgradeStatus,
} from '@steward/protocol';
import { freeLoopbackPort } from '../../../test-support/net.js';
import { createTestSite, exec, STEWARD, waitFor, type Site } from '../../../test-support/site.js';
import { baseImage, startVm, vmUnavailableReason, type Vm } from '../../../test-support/vm/vm.js';
import { buildBrokenDeb, buildDeb, buildTarballOf, debVersionFolder } from './deb-sandbox.js';

const V1 = '9.8.1-vm';
const V2 = '9.8.2-vm';
const BROKEN = '9.8.3-vm';
const GUEST_SITE = { address: '10.0.2.100', port: 8443 };

const unavailable = vmUnavailableReason();
if (unavailable) console.warn(`skipping the systemd VM upgrade test: ${unavailable}`);

const say = (line: string) => console.log(`[vm-test ${new Date().toISOString()}] ${line}`);

describe.skipIf(unavailable !== undefined)('agent self-upgrade under systemd, in a VM', () => {
  let site: Site;
  let api: ApiClient;
  let vm: Vm | undefined;
  let base: string | undefined;
  let deviceId = '';
  let cliEnv: NodeJS.ProcessEnv;
  const started = Date.now();
  const debs: Record<string, string> = {};

  const cli = async (...args: string[]) => {
    const r = await exec(STEWARD, args, { env: cliEnv });
    expect(r.code, `steward ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const guest = async (command: string) => {
    if (!vm) throw new Error('no VM');
    try {
      return await vm.sh(command, 300_000);
    } catch (err) {
      say(String(err));
      throw err;
    }
  };
  const status = (): Promise<DeviceUpgradeStatus> =>
    api.call(ops.agentVersions.deviceUpgradeStatus, { params: { id: deviceId } });
  // On a timeout, what the guest knows goes to the log first (the rollback case has stalled under
  // load: its cause is open work, and this is what finding it needs).
  const finished = (version: string) =>
    waitFor(
      `upgrade to ${version} finished`,
      async () =>
        (await status()).attempts.find(
          (a: AgentUpgradeAttempt) =>
            a.toVersion === version && ['succeeded', 'failed', 'rolled-back'].includes(a.state),
        ),
      900_000,
      2000,
    ).catch(async (err: unknown) => {
      say(`site's attempts: ${JSON.stringify((await status()).attempts)}`);
      say(
        await guest(
          "systemctl status --no-pager steward-agent 'steward-agent-upgrade-*' 2>&1 | tail -n 40; " +
            "journalctl --no-pager -o short-monotonic -u steward-agent -u 'steward-agent-upgrade-*' | tail -n 80; " +
            'ls -lR /var/lib/steward-agent/upgrade 2>&1 | tail -n 30',
        ).catch((e: unknown) => `guest diagnostics failed: ${String(e)}`),
      );
      throw err;
    });
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
      300_000,
      3000,
    );
  const device = async () =>
    (await api.listDevices({ limit: 100 })).items.find((d) => d.id === deviceId);
  const unitActive = async () =>
    (await vm?.run('systemctl is-active steward-agent'))?.output.trim() ?? '';

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'steward-vm-upgrade-'));
    const image = await baseImage(say);
    say(
      image.built
        ? `built the VM base image in ${image.buildSeconds.toFixed(0)} s (${image.dir})`
        : `VM base image from the cache (${image.dir})`,
    );
    for (const [v, make] of [
      [V1, (d: string) => buildDeb(join(d, V1), V1)],
      [V2, (d: string) => buildDeb(join(d, V2), V2)],
      [
        BROKEN,
        (d: string) =>
          buildBrokenDeb(
            d,
            BROKEN,
            "console.error('steward-agent: this build is broken'); process.exit(1);\n",
          ),
      ],
    ] as const) {
      const deb = make(base);
      debs[v] = deb;
      debs[`${v}.tarball`] = buildTarballOf(join(base, `${v}-tarball`), v);
    }
    // The site listens on 127.0.0.1 only; the guest knows it as 10.0.2.100:8443 (the forward).
    const agentPort = await freeLoopbackPort();
    site = await createTestSite({
      withEnrolledDevices: 0,
      agentListen: `127.0.0.1:${String(agentPort)}`,
      publicUrl: `https://${GUEST_SITE.address}:${String(GUEST_SITE.port)}`,
    });
    api = site.api;
    cliEnv = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(base, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    for (const v of [V1, V2, BROKEN])
      await cli(
        'agent-version',
        'add',
        debVersionFolder(base, debs[v] ?? '', debs[`${v}.tarball`] ?? '', v),
      );
    // Node.js under TCG starts in tens of seconds: a generous report-in limit.
    await cli(
      'agent-version',
      'settings',
      'set',
      '--production',
      V1,
      '--upgrade-report-in-seconds',
      '600',
    );
    const token = (await api.createToken({ description: 'systemd VM test', maxUses: 1 })).token;
    const decoded = decodeEnrolmentToken(token ?? '');
    if (!decoded.ok) throw new Error(decoded.error);
    vm = await startVm({
      image,
      files: {
        token: token ?? '',
        'ca.sha256': decoded.value.caFingerprint,
      },
      forwards: [
        { guestAddress: GUEST_SITE.address, guestPort: GUEST_SITE.port, hostPort: agentPort },
      ],
      log: say,
    });
    say(`QEMU started (${vm.accel}); waiting for the guest`);
    await vm.ready(600_000);
    say(
      `guest answers on its command channel after ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, 2_400_000);

  afterAll(async () => {
    if (vm) {
      say(
        `console log tail:\n${readFileSync(vm.consoleLog, 'utf8').split('\n').slice(-15).join('\n')}`,
      );
      await vm.shutdown(60_000);
      await vm.dispose();
    }
    await site?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
    say(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 180_000);

  it('installs the .deb from the site, runs as the systemd unit, enrols and reports inventory', async () => {
    const url = `https://${GUEST_SITE.address}:${String(GUEST_SITE.port)}`;
    const deb = basename(debs[V1] ?? '');
    // The CA over an unverified connection, checked against the token's fingerprint (injected);
    // then the package over a connection pinned to it, as the site's install command does.
    await guest(
      [
        'set -e',
        'cd /root',
        `curl -fsSk -o ca.pem ${url}/install/ca.pem`,
        // The SHA-256 of the CA's DER, as the token pins it (and install.sh checks it).
        "got=$(sed -e '/-----/d' ca.pem | tr -d ' \\r\\n' | base64 -d | sha256sum | cut -d ' ' -f 1)",
        'test "$got" = "$(cat /mnt/inject/ca.sha256)"',
        `curl -fsS --cacert ca.pem -o ${deb} ${url}/install/packages/${deb}`,
        `dpkg -i ${deb}`,
      ].join('\n'),
    );
    expect((await guest("dpkg-query -W -f '${Version}' steward-agent")).trim()).toBe(`${V1}-1`);
    // Before enrolment the unit's condition keeps it idle.
    expect(await unitActive()).not.toBe('active');
    await guest('steward-agent enroll --token "$(cat /mnt/inject/token)"');
    await guest('systemctl start steward-agent');
    expect(await unitActive()).toBe('active');
    expect((await guest('systemctl is-enabled steward-agent')).trim()).toBe('enabled');
    const identity: unknown = JSON.parse(await guest('cat /var/lib/steward-agent/device.json'));
    deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    const d = await waitFor(
      'the VM reports its inventory',
      async () => {
        const found = await device();
        return found?.lastInventoryAt && found.agentVersion === V1 ? found : undefined;
      },
      600_000,
      2000,
    );
    expect(d.name).toBe('steward-vm');
    say(`enrolled and inventoried after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 900_000);

  it('upgrades itself through systemd to the production version', async () => {
    expect(deviceId, 'the VM agent enrolled').not.toBe('');
    const pidBefore = (await guest('systemctl show -p MainPID --value steward-agent')).trim();
    await cli('agent-version', 'settings', 'set', '--production', V2);
    await upgradeNow();
    const done = await finished(V2);
    expect(done).toMatchObject({ state: 'succeeded', fromVersion: V1, errorCode: null });
    await waitFor(
      `the site records ${V2}`,
      async () => (await device())?.agentVersion === V2,
      600_000,
      2000,
    );
    expect((await guest("dpkg-query -W -f '${Version}' steward-agent")).trim()).toBe(`${V2}-1`);
    expect(await unitActive()).toBe('active');
    // A new process of the same unit (the postinst's restart), started by systemd.
    expect((await guest('systemctl show -p MainPID --value steward-agent')).trim()).not.toBe(
      pidBefore,
    );
    // The helper ran as a transient unit, outside the agent's cgroup, and saw systemd.
    const journal = await guest(
      `journalctl --no-pager -o cat -u 'steward-agent-upgrade-*' | grep upgrade-deb || true`,
    );
    expect(journal).toContain(`installing ${V2} over ${V1}-1`);
    expect(journal).toContain('service systemd');
    say(`upgraded after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 1_200_000);

  // Quarantined until 2026-12-07 (no final state within 15 minutes in full int runs); see
  // upgrade-deb.sh's rollback under systemd and docs/verification/issue-9.md.
  it('a version that fails to start is rolled back by itself, saying why', async () => {
    expect(deviceId, 'the VM agent enrolled').not.toBe('');
    await cli('agent-version', 'settings', 'set', '--production', BROKEN);
    await upgradeNow();
    const done = await finished(BROKEN);
    expect(done.state).toBe('rolled-back');
    expect(done.errorCode).toBe('AGENT_UPGRADE_NOT_STARTED');
    // The exit seen in the unit's state (its status), or by systemd's restart counter when the
    // helper looked only after systemd had started it again (upgrade-deb.sh).
    expect(done.reason).toMatch(
      new RegExp(
        `new version ${BROKEN.replaceAll('.', '\\.')} exited (with code 1|\\(systemd restarted it \\d+ times\\)) before reporting in`,
      ),
    );
    expect(done.fromVersion).toBe(V2);
    expect((await guest("dpkg-query -W -f '${Version}' steward-agent")).trim()).toBe(`${V2}-1`);
    await waitFor(
      'the unit runs again',
      async () => (await unitActive()) === 'active',
      300_000,
      2000,
    );
    expect((await device())?.agentVersion).toBe(V2);
    const rolledBack: unknown = JSON.parse(
      await cli('agent-version', 'upgrades', '--state', 'rolled-back', '--json'),
    );
    expect(rolledBack).toEqual([
      expect.objectContaining({ deviceId, toVersion: BROKEN, fromVersion: V2 }),
    ]);
    // The guest's own timeline of the attempt (helper, unit restarts), for the run's log.
    say(
      await guest(
        "journalctl --no-pager -o short-monotonic -u steward-agent -u 'steward-agent-upgrade-*' | tail -n 60",
      ),
    );
    say(`rolled back after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 1_200_000);
});
