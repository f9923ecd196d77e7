import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDpkgSandbox, installPackages } from '../../../../../test-support/dpkg-sandbox.js';
import {
  detectRestartNeed,
  parseNeedrestart,
  predictRestartNeed,
  runningProcesses,
  unitOfCgroup,
} from './restart-detect.js';

// needrestart's batch mode output (needrestart(1), "-b"): kernel status 3 = a newer kernel waits.
const BATCH = `NEEDRESTART-VER: 3.6
NEEDRESTART-KCUR: 6.1.0-17-amd64
NEEDRESTART-KEXP: 6.1.0-18-amd64
NEEDRESTART-KSTA: 3
NEEDRESTART-UCSTA: 1
NEEDRESTART-SVC: nginx.service
NEEDRESTART-SVC: ssh.service
NEEDRESTART-CONT: lxc-web
NEEDRESTART-SESS: alice @ session #4
`;

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process running a copy of sleep at `exe`, started and seen in /proc. */
async function runFrom(exe: string): Promise<ChildProcess> {
  copyFileSync('/bin/sleep', exe);
  const child = spawn(exe, ['300'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}

describe('restart detection', () => {
  it("reads needrestart's batch output: kernel, microcode and services", () => {
    expect(parseNeedrestart(BATCH)).toEqual({
      reboot: true,
      services: ['nginx.service', 'ssh.service'],
    });
    expect(parseNeedrestart('NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 2\n').reboot).toBe(true);
    expect(parseNeedrestart('NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 0\n')).toEqual({
      reboot: false,
      services: [],
    });
  });

  it('names the systemd service of a process from its cgroup (v2 and v1)', () => {
    expect(unitOfCgroup('0::/system.slice/nginx.service\n')).toBe('nginx.service');
    expect(unitOfCgroup('4:memory:/x\n1:name=systemd:/system.slice/cron.service\n')).toBe(
      'cron.service',
    );
    expect(unitOfCgroup('0::/user.slice/user-1000.slice/session-4.scope\n')).toBeNull();
  });

  it('without needrestart: the reboot flag files and the processes whose executable was replaced', async () => {
    const root = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'restart-detect-'));
    dirs.push(root);
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    const kept = await runFrom(join(root, 'usr/bin/kept'));
    const replaced = await runFrom(join(root, 'usr/bin/replaced'));
    expect(await detectRestartNeed({ root })).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'reboot-required',
    });
    // dpkg unpacks the new file beside the old one and renames it over: the old inode is gone.
    unlinkSync(join(root, 'usr/bin/replaced'));
    copyFileSync('/bin/sleep', join(root, 'usr/bin/replaced'));
    mkdirSync(join(root, 'run'));
    writeFileSync(join(root, 'run/reboot-required'), '*** System restart required ***\n');
    writeFileSync(join(root, 'run/reboot-required.pkgs'), 'linux-image-6.1.0-18-amd64\nlibc6\n');
    const seen = await runningProcesses();
    expect(seen.find((p) => p.pid === replaced.pid)?.replaced).toBe(true);
    expect(seen.find((p) => p.pid === kept.pid)?.replaced).toBe(false);
    const need = await detectRestartNeed({ root });
    expect(need).toMatchObject({
      reboot: true,
      packages: ['libc6', 'linux-image-6.1.0-18-amd64'],
      source: 'reboot-required',
    });
    // This test's processes run outside any service: each is named by its pid and file.
    expect(need.services).toEqual([
      `pid ${String(replaced.pid)} (${join(root, 'usr/bin/replaced')})`,
    ]);
  });

  it("predicts from what a rehearsal would install: kernel/libc/systemd reboot, running services' packages restart", async () => {
    const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'restart-predict-'));
    dirs.push(dir);
    const box = createDpkgSandbox(dir, 'root');
    installPackages(dir, box, [
      { name: 'web-daemon', version: '1.0', files: { 'usr/sbin/web-daemon': '/bin/sleep' } },
      { name: 'idle-tool', version: '1.0', files: { 'usr/bin/idle-tool': '/bin/sleep' } },
    ]);
    const daemon = await runFrom(join(box.root, 'usr/sbin/web-daemon'));
    const need = await predictRestartNeed(['web-daemon', 'idle-tool', 'libc6'], {
      root: box.root,
    });
    expect(need).toEqual({
      reboot: true,
      packages: ['libc6'],
      services: [`pid ${String(daemon.pid)} (${join(box.root, 'usr/sbin/web-daemon')})`],
      source: 'prediction',
    });
    expect(await predictRestartNeed(['idle-tool'], { root: box.root })).toEqual({
      reboot: false,
      packages: [],
      services: [],
      source: 'prediction',
    });
  });
});
