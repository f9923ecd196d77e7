import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDpkgSandbox, installPackages } from '../../../../../test-support/dpkg-sandbox.js';
import { detectRestartNeed } from './restart-detect.js';

// Restart detection with needrestart itself (installed on this machine), not its parsed output:
// what the agent runs after an install on '/' (ADR 0099).
const NEEDRESTART = '/usr/sbin/needrestart';
const present = existsSync(NEEDRESTART);
if (!present) console.warn('needrestart is not installed: restart-detect.int.test.ts is SKIPPED');

const dirs: string[] = [];
const pids: number[] = [];
const adminDir = process.env.DPKG_ADMINDIR;
afterEach(() => {
  for (const pid of pids.splice(0)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  if (adminDir === undefined) delete process.env.DPKG_ADMINDIR;
  else process.env.DPKG_ADMINDIR = adminDir;
});

// needrestart.conf's default override_rc: services it never restarts by default, and so does
// not list in batch mode (dbus, display managers, network daemons, ...).
const NOT_LISTED =
  /^(dbus|gdm|kdm|nodm|sddm|wdm|xdm|lightdm|slim|lxdm|bird|network|NetworkManager|ModemManager|wpa_supplicant|openvpn|quagga|frr|tinc|bluetooth|zfs-fuse|mythtv|xendomains|lxcfs|libvirt|virt|docker|elogind)/;

/**
 * An init script this machine starts in the multi-user runlevel (needrestart names a sysv
 * service only by an existing script it starts: /etc/rc2.d/S??name) that needrestart lists and
 * does not name already (`taken`: its answer before the test).
 */
function initScript(taken: readonly string[]): string | undefined {
  const links = existsSync('/etc/rc2.d') ? readdirSync('/etc/rc2.d').sort() : [];
  return links
    .map((l) => /^S\d\d(.+)$/.exec(l)?.[1])
    .find(
      (n) =>
        n !== undefined &&
        !NOT_LISTED.test(n) &&
        !taken.includes(n) &&
        existsSync(join('/etc/init.d', n)) &&
        (statSync(join('/etc/init.d', n)).mode & 0o111) !== 0,
    );
}

describe.skipIf(!present)('restart detection with the real needrestart', () => {
  it('names the service whose running executable an install replaced, as needrestart maps it through dpkg', async () => {
    const script = initScript((await detectRestartNeed({ root: '/' })).services);
    if (script === undefined) throw new Error('this machine has no executable /etc/init.d script');
    const dir = mkdtempSync(join(tmpdir(), 'steward-needrestart-'));
    dirs.push(dir);
    // A daemon at a real path that a package owns in a sandbox dpkg database, the package also
    // shipping that init script. needrestart's dpkg hook asks `dpkg-query --search` for the
    // executable of a process running a replaced file, then the package's /etc/init.d scripts;
    // dpkg-query reads the sandbox's database through DPKG_ADMINDIR, inherited by needrestart.
    const exe = join(dir, 'bin', 'steward-nrd');
    const box = createDpkgSandbox(dir, 'root');
    installPackages(dir, box, [
      {
        name: 'steward-nrd',
        version: '1.0-1',
        files: { [exe]: '/bin/sleep', [`/etc/init.d/${script}`]: '/bin/true' },
      },
    ]);
    process.env.DPKG_ADMINDIR = box.admindir;
    mkdirSync(join(dir, 'bin'));
    copyFileSync('/bin/sleep', exe);
    // Started as a daemon is: its parent gone (needrestart follows a child process up to its
    // parent and judges that one instead).
    const pid = Number(
      execFileSync('sh', ['-c', `"$0" 300 >/dev/null 2>&1 & echo $!`, exe], { encoding: 'utf8' }),
    );
    pids.push(pid);

    const before = await detectRestartNeed({ root: '/' });
    expect(before.source).toBe('needrestart');
    expect(before.services).not.toContain(script);

    // What dpkg does to a file it upgrades: the new one renamed over the old, which the running
    // process keeps open as "(deleted)".
    copyFileSync('/bin/sleep', `${exe}.dpkg-new`);
    renameSync(`${exe}.dpkg-new`, exe);
    const after = await detectRestartNeed({ root: '/' });
    expect(after.source).toBe('needrestart');
    expect(after.services).toContain(script);

    // The same process without the dpkg mapping: needrestart names no service for it.
    delete process.env.DPKG_ADMINDIR;
    expect((await detectRestartNeed({ root: '/' })).services).not.toContain(script);
  }, 180_000);
});
