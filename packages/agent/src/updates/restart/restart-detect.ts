import { execFile } from 'node:child_process';
import { access, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_RESTART_NAMES, type RestartNeed } from '@steward/protocol';

/**
 * What an update install leaves to restart (issue 10, ADR 0099): needrestart's batch output where
 * it is installed (the kernel, microcode and the services it finds), otherwise
 * /run/reboot-required(.pkgs) as update-notifier-common writes them plus the processes whose
 * executable dpkg replaced (a replaced file reads `… (deleted)` in /proc/<pid>/exe), named by
 * their systemd service. A rehearsal predicts the same answer from the packages apt would install.
 *
 * `root` is the system: '/' on a machine; a sandbox folder in tests, where needrestart (which
 * only knows '/') is not asked and only processes running executables under `root` count.
 */

export interface DetectOptions {
  root: string;
  /** /proc, or another mount of it. */
  procRoot?: string;
  /** needrestart's path; null: do not ask it. Default: /usr/sbin/needrestart on '/' only. */
  needrestart?: string | null;
}

/** A process running an executable: its pid, the file, whether it was replaced, its unit. */
export interface RunningProcess {
  pid: number;
  exe: string;
  replaced: boolean;
  unit: string | null;
}

/** Packages whose new version needs a reboot to take effect (kernel, libc, systemd, microcode). */
const REBOOT_PACKAGES =
  /^(linux-image-\S+|linux-modules-\S+|libc6|libc6-\S+|systemd|systemd-sysv|libsystemd0|libsystemd-shared|dbus|dbus-daemon|intel-microcode|amd64-microcode)$/;

export function needsReboot(pkg: string): boolean {
  return REBOOT_PACKAGES.test(pkg);
}

const capped = (names: Iterable<string>): string[] =>
  [...new Set(names)].sort().slice(0, MAX_RESTART_NAMES);

/**
 * `needrestart -b` lines: NEEDRESTART-KSTA (kernel: 0 unknown, 1 current, 2 ABI-compatible
 * upgrade pending, 3 version upgrade pending), NEEDRESTART-UCSTA (microcode, same scale),
 * NEEDRESTART-SVC (one service each). Other lines (VER, KCUR, KEXP, CONT, SESS) are not needed.
 */
export function parseNeedrestart(output: string): { reboot: boolean; services: string[] } {
  let reboot = false;
  const services: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^NEEDRESTART-(\w+):\s*(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    const value = m[2].trim();
    if ((m[1] === 'KSTA' || m[1] === 'UCSTA') && Number(value) >= 2) reboot = true;
    if (m[1] === 'SVC' && value !== '') services.push(value);
  }
  return { reboot, services: capped(services) };
}

/** The systemd unit a /proc/<pid>/cgroup text puts the process in (cgroup v2 or v1 name=systemd). */
export function unitOfCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const [, hierarchy, path] = /^(\d+:[^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined || !(hierarchy === '0:' || hierarchy?.endsWith(':name=systemd')))
      continue;
    const unit = path.split('/').find((part) => part.endsWith('.service'));
    if (unit !== undefined) return unit;
  }
  return null;
}

/** Every process whose executable is readable in /proc (others' processes may not be). */
export async function runningProcesses(procRoot = '/proc'): Promise<RunningProcess[]> {
  const out: RunningProcess[] = [];
  for (const entry of await readdir(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const link = await readlink(join(procRoot, entry, 'exe')).catch(() => null);
    if (link === null) continue;
    const replaced = link.endsWith(' (deleted)');
    const exe = replaced ? link.slice(0, -' (deleted)'.length) : link;
    const cgroup = await readFile(join(procRoot, entry, 'cgroup'), 'utf8').catch(() => '');
    out.push({ pid: Number(entry), exe, replaced, unit: unitOfCgroup(cgroup) });
  }
  return out;
}

/** The path of `exe` inside `root` ('/usr/bin/x'), or null when it is not under `root`. */
function insideRoot(exe: string, root: string): string | null {
  if (root === '/') return exe;
  const base = root.replace(/\/+$/, '');
  return exe.startsWith(`${base}/`) ? exe.slice(base.length) : null;
}

const nameOf = (p: RunningProcess) => p.unit ?? `pid ${String(p.pid)} (${p.exe})`;

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** /run/reboot-required (or /var/run/…, the same folder on a machine) and its .pkgs under root. */
export async function rebootRequired(
  root: string,
): Promise<{ reboot: boolean; packages: string[] }> {
  for (const dir of ['run', 'var/run']) {
    const flag = join(root, dir, 'reboot-required');
    const exists = await access(flag).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    const pkgs = await readFile(`${flag}.pkgs`, 'utf8').catch(() => '');
    return {
      reboot: true,
      packages: capped(
        pkgs
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    };
  }
  return { reboot: false, packages: [] };
}

/** After an install: what is left to restart, from needrestart when it is there. */
export async function detectRestartNeed(o: DetectOptions): Promise<RestartNeed> {
  const flagged = await rebootRequired(o.root);
  const needrestart =
    o.needrestart === undefined ? (o.root === '/' ? '/usr/sbin/needrestart' : null) : o.needrestart;
  if (needrestart !== null) {
    const present = await access(needrestart).then(
      () => true,
      () => false,
    );
    if (present) {
      // -b: batch output; -r l: list only, never restart anything itself (the deployment decides).
      const r = await run(needrestart, ['-b', '-r', 'l']);
      if (r.code === 0) {
        const n = parseNeedrestart(r.output);
        return {
          reboot: n.reboot || flagged.reboot,
          services: n.services,
          packages: flagged.packages,
          source: 'needrestart',
        };
      }
    }
  }
  const stale = (await runningProcesses(o.procRoot)).filter(
    (p) => p.replaced && insideRoot(p.exe, o.root) !== null,
  );
  return {
    reboot: flagged.reboot,
    services: capped(stale.map(nameOf)),
    packages: flagged.packages,
    source: 'reboot-required',
  };
}

/** The files a package installed under root, from dpkg's database ([] when not installed). */
async function packageFiles(name: string, root: string): Promise<string[]> {
  const r = await run('dpkg-query', [`--admindir=${join(root, 'var/lib/dpkg')}`, '-L', name]);
  return r.code === 0 ? r.output.split('\n').filter((l) => l.startsWith('/')) : [];
}

/**
 * A rehearsal's prediction, changing nothing: a reboot when the packages apt would install
 * include the kernel, libc, systemd or microcode; a restart of every service (or process) that
 * runs an executable one of those packages now owns, since dpkg will replace it.
 */
export async function predictRestartNeed(
  packages: readonly string[],
  o: Omit<DetectOptions, 'needrestart'>,
): Promise<RestartNeed> {
  const rebootBy = packages.filter(needsReboot);
  const owned = new Set<string>();
  for (const name of packages) for (const f of await packageFiles(name, o.root)) owned.add(f);
  const running = owned.size === 0 ? [] : await runningProcesses(o.procRoot);
  const hit = running.filter((p) => {
    const inside = insideRoot(p.exe, o.root);
    return inside !== null && owned.has(inside);
  });
  return {
    reboot: rebootBy.length > 0,
    services: capped(hit.map(nameOf)),
    packages: capped(rebootBy),
    source: 'prediction',
  };
}
