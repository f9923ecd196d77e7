import { readFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import {
  alive,
  buildTarball,
  installLines,
  pidOf,
  runProcess,
  stopDetached,
} from './install-harness.js';

/**
 * install-agent.sh, the one way an agent gets onto a machine: from the real tarball, into a
 * temporary prefix, enrolled in a real site, running detached (no systemd here).
 */
describe('install-agent.sh from the agent tarball', () => {
  let site: Site;
  let unpacked: string;
  let token: string;
  const prefix = mkdtempSync(join(tmpdir(), 'steward-install-'));
  const stateDir = join(prefix, 'state');
  const install = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runProcess('sh', [join(unpacked, 'install-agent.sh'), ...args], {
      env: { ...process.env, ...env },
    });

  beforeAll(async () => {
    ({ unpacked } = buildTarball());
    site = await createTestSite({ withEnrolledDevices: 0 });
    token = (await site.api.createToken({ description: 'installer test', maxUses: 1 })).token ?? '';
  });
  afterAll(async () => {
    await stopDetached(stateDir);
    await site?.stop();
  });

  it('installs the files, enrols, starts the agent detached, and the device reports in', async () => {
    const r = await install([
      '--token',
      token,
      '--prefix',
      prefix,
      '--state-dir',
      stateDir,
      '--service',
      'auto',
      '--site-url',
      site.agentUrl,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(installLines(r.stdout).map((l) => `${l.step}=${l.status}`)).toEqual([
      'files=ok',
      'enrol=ok',
      'service=ok',
      'start=ok',
    ]);
    expect(statSync(join(prefix, 'usr/bin/steward-agent')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(prefix, 'usr/lib/steward-agent/VERSION'), 'utf8').trim()).toMatch(
      /^\d+\.\d+\.\d+/,
    );
    const unit = readFileSync(join(prefix, 'lib/systemd/system/steward-agent.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${prefix}/usr/bin/steward-agent run`);
    expect(unit).toContain(`ConditionPathExists=${stateDir}/device.json`);
    expect(unit).not.toMatch(/^StateDirectory=/m);
    const pid = pidOf(stateDir);
    expect(pid !== undefined && alive(pid)).toBe(true);
    const device = await waitFor('the installed agent reports its inventory', async () =>
      (await site.api.listDevices()).items.find((d) => d.lastInventoryAt !== null),
    );
    const identity: unknown = JSON.parse(readFileSync(join(stateDir, 'device.json'), 'utf8'));
    expect(identity).toMatchObject({ deviceId: device.id });
  });

  it('re-running upgrades the files and restarts the agent without enrolling again', async () => {
    const before = readFileSync(join(stateDir, 'device.json'), 'utf8');
    const oldPid = pidOf(stateDir);
    // The token is used up: any attempt to enrol again would fail the run.
    const r = await install(['--token', token, '--service', 'none'], {
      STEWARD_PREFIX: prefix,
      STEWARD_STATE_DIR: stateDir,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lines = installLines(r.stdout);
    expect(lines.map((l) => `${l.step}=${l.status}`)).toEqual([
      'files=ok',
      'enrol=ok',
      'service=ok',
      'start=ok',
    ]);
    expect(lines[0]?.detail).toMatch(/^upgraded /);
    expect(lines[1]?.detail).toMatch(/already enrolled/);
    expect(readFileSync(join(stateDir, 'device.json'), 'utf8')).toBe(before);
    const newPid = pidOf(stateDir);
    expect(newPid).not.toBe(oldPid);
    expect(oldPid !== undefined && alive(oldPid)).toBe(false);
    expect(newPid !== undefined && alive(newPid)).toBe(true);
    expect((await site.api.listDevices()).items).toHaveLength(1);
  });

  it('a refused token fails the enrol step with exit 30 and starts nothing', async () => {
    const other = mkdtempSync(join(tmpdir(), 'steward-install-bad-'));
    const r = await install(['--token', token, '--prefix', other, '--service', 'none']);
    expect(r.code).toBe(30);
    const lines = installLines(r.stdout);
    expect(lines.map((l) => `${l.step}=${l.status}`)).toEqual(['files=ok', 'enrol=failed']);
    expect(lines[1]?.detail).toMatch(/TOKEN/);
    expect(pidOf(join(other, 'var/lib/steward-agent'))).toBeUndefined();
  });

  it('checks the Node.js version from `node --version` and says which one is too old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-install-node-'));
    const fake = (name: string, out: string): string => {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\necho '${out}'\n`, { mode: 0o755 });
      return path;
    };
    for (const [name, out] of [
      ['node18', 'v18.19.1'],
      ['garbage', 'not a version'],
    ] as const) {
      const node = fake(name, out);
      const r = await install(['--token', token, '--prefix', dir, '--node', node]);
      expect(r.code, r.stdout).toBe(20);
      expect(installLines(r.stdout)[0]?.detail).toContain(`${node} is not Node.js 20 or later`);
    }
  });

  it('traces its steps when STEWARD_INSTALL_TRACE names a file', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'steward-install-trace-')), 'trace');
    const r = await install(['--token', token, '--service', 'none'], {
      STEWARD_PREFIX: prefix,
      STEWARD_STATE_DIR: stateDir,
      STEWARD_INSTALL_TRACE: trace,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const events = readFileSync(trace, 'utf8').trim().split('\n');
    expect(events.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'start',
      'runtime node',
      'files',
      'enrolled',
      'started',
    ]);
    const times = events.map((l) => Number(l.split(' ')[0]));
    expect(times.every((t, i) => Number.isInteger(t) && t >= (times[i - 1] ?? 0))).toBe(true);
  });

  it('refuses bad arguments with exit 10', async () => {
    expect((await install(['--token', token, '--service', 'upstart'])).code).toBe(10);
    expect((await install(['--prefix', 'relative', '--token', token])).code).toBe(10);
    expect((await install(['--bogus'])).code).toBe(10);
  });
});
