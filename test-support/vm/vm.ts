/**
 * Steward's test-VM harness (ADR 0044): real Debian bookworm machines with systemd, under QEMU,
 * for tests that need what this test machine lacks (systemd as PID 1, a whole OS of its own).
 *
 * - `baseImage()` builds the base image once (build-image.sh: debootstrap, the Debian kernel and
 *   initramfs, an ext4 image made without mounting) into a cache folder keyed by a hash of the
 *   recipe, so only the first run pays for debootstrap. The cache is `$STEWARD_VM_CACHE`, else
 *   `~/.cache/steward/vm`.
 * - `startVm()` boots a copy-on-write qcow2 overlay of that image with `-kernel/-initrd` (no boot
 *   loader), a second small ext4 disk carrying the test's files (mounted at /mnt/inject), the
 *   kernel console on the first serial port (a log file `waitForConsole` reads) and a command
 *   channel on the second (guest/vm-command.sh: `vm.run('systemctl is-active x')`).
 * - Networking is QEMU's user network with `restrict=on`: the guest reaches nothing but the
 *   `forwards` the test asks for, each to a port on 127.0.0.1 (a `socat` per connection).
 * - KVM where it can run (accel.ts), else TCG software emulation (`accel` says which).
 * - `dispose()` kills QEMU and removes the VM's own mkdtemp folder; nothing else is touched.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { accelArgs, vmAccel } from './accel.js';
import { waitFor } from '../site.js';

const HERE = import.meta.dirname;
const RECIPE = [
  join(HERE, 'build-image.sh'),
  join(HERE, 'guest/vm-command.sh'),
  join(HERE, 'guest/vm-command.service'),
];

/** Why VM tests cannot run here (a missing tool), or undefined when they can. */
export function vmUnavailableReason(): string | undefined {
  const tools = ['qemu-system-x86_64', 'qemu-img', 'socat', 'debootstrap', 'mke2fs', 'setpriv'];
  const missing = tools.filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length) return `missing ${missing.join(', ')} (.ci/run installs them)`;
  if (process.getuid?.() !== 0) return 'building the VM image needs root (debootstrap)';
  return undefined;
}

export interface BaseImage {
  dir: string;
  kernel: string;
  initrd: string;
  root: string;
  /** Whether this call built it (false: it came from the cache). */
  built: boolean;
  buildSeconds: number;
}

export function vmCacheDir(): string {
  return process.env['STEWARD_VM_CACHE'] ?? join(homedir(), '.cache/steward/vm');
}

/**
 * The recipe's key: the build script, the guest files, and the Node.js binary packaged into the
 * image (its version and bytes).
 */
function recipeKey(): string {
  const h = createHash('sha256');
  for (const f of RECIPE) h.update(readFileSync(f));
  h.update(process.versions.node);
  h.update(
    readFileSync(execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim()),
  );
  return h.digest('hex').slice(0, 16);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A build in the VM cache: its folder, and whether this call built it. */
export interface CachedBuild {
  dir: string;
  built: boolean;
  buildSeconds: number;
}

/**
 * A folder of the VM cache made by a build script once per recipe key (`<name>-<key>`, done when
 * `readyFile` is in it). Concurrent callers (two test files) share one build: the builder holds
 * `<name>-<key>.lock` (its pid inside); the others wait for the folder, or take over from a
 * builder that died. The script gets the folder to write as its last argument.
 */
export async function cachedBuild(opts: {
  name: string;
  key: string;
  readyFile: string;
  script: string;
  env?: Record<string, string>;
  log: (line: string) => void;
}): Promise<CachedBuild> {
  const cache = vmCacheDir();
  mkdirSync(cache, { recursive: true });
  const { name, key } = opts;
  const dir = join(cache, `${name}-${key}`);
  const lock = join(cache, `${name}-${key}.lock`);
  for (;;) {
    if (existsSync(join(dir, opts.readyFile))) return { dir, built: false, buildSeconds: 0 };
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        opts.log(`waiting for the ${name} build of process ${String(holder)}`);
        await waitFor(
          `the ${name} build another process runs`,
          () => existsSync(join(dir, opts.readyFile)) || !existsSync(lock),
          1_800_000,
          2000,
        );
      } else rmSync(lock, { force: true });
      continue;
    }
    writeFileSync(fd, `${String(process.pid)}\n`);
    const started = Date.now();
    const partial = join(cache, `building-${key}-${randomBytes(4).toString('hex')}`);
    try {
      opts.log(`building ${name} into ${dir} (first run only; debootstrap takes minutes)`);
      await runLogged('bash', [opts.script, partial], join(cache, `build-${key}.log`), opts.env);
      renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
      rmSync(lock, { force: true });
    }
    return { dir, built: true, buildSeconds: (Date.now() - started) / 1000 };
  }
}

/** The cached base image, built first when the cache has none for this recipe. */
export async function baseImage(log: (line: string) => void = () => {}): Promise<BaseImage> {
  const build = await cachedBuild({
    name: 'bookworm',
    key: recipeKey(),
    readyFile: 'root.ext4',
    script: join(HERE, 'build-image.sh'),
    log,
  });
  return {
    ...build,
    kernel: join(build.dir, 'vmlinuz'),
    initrd: join(build.dir, 'initrd.img'),
    root: join(build.dir, 'root.ext4'),
  };
}

function runLogged(
  cmd: string,
  args: string[],
  logFile: string,
  env?: Record<string, string>,
): Promise<void> {
  const out = openSync(logFile, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${cmd} ${args.join(' ')} exited ${String(code)}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
            ),
          ),
    );
  });
}

/** A guest TCP address forwarded to a port on this machine's 127.0.0.1. */
export interface Forward {
  guestAddress: string;
  guestPort: number;
  hostPort: number;
}

export interface VmOptions {
  image: BaseImage;
  memoryMb?: number;
  cpus?: number;
  /** Files for the guest, by path under /mnt/inject (a second, read-only ext4 disk). */
  files?: Record<string, string | Buffer>;
  forwards?: Forward[];
  log?: (line: string) => void;
}

export interface CommandResult {
  code: number;
  output: string;
}

export interface Vm {
  dir: string;
  accel: 'kvm' | 'tcg';
  consoleLog: string;
  /** Resolves with the first console line matching `pattern`, failing at the deadline or exit. */
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Waits until the command channel answers and systemd has finished starting up. */
  ready(timeoutMs: number): Promise<void>;
  /** Runs a shell command as root in the guest. */
  run(command: string, timeoutMs?: number): Promise<CommandResult>;
  /** `run`, failing unless it exits 0; its output. */
  sh(command: string, timeoutMs?: number): Promise<string>;
  /** Powers the guest off (waiting up to `timeoutMs`), then kills QEMU if it is still there. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Kills QEMU and removes the VM's folder. */
  dispose(): Promise<void>;
}

/** An ext4 image of `files` made without mounting (mke2fs -d), labelled "inject". */
function injectDisk(dir: string, files: Record<string, string | Buffer>): string {
  const tree = join(dir, 'inject');
  mkdirSync(tree);
  for (const [path, content] of Object.entries(files)) {
    const target = join(tree, path);
    if (!target.startsWith(`${tree}/`)) throw new Error(`injected file outside the disk: ${path}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
  const sizeMb = Math.max(16, Math.ceil((bytes * 1.3) / 1048576) + 8);
  const disk = join(dir, 'inject.ext4');
  execFileSync('mke2fs', [
    '-q',
    '-t',
    'ext4',
    '-L',
    'inject',
    '-d',
    tree,
    disk,
    `${String(sizeMb)}M`,
  ]);
  return disk;
}

export async function startVm(opts: VmOptions): Promise<Vm> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'steward-vm-'));
  let qemu: ChildProcess | undefined;
  let channel: Socket | undefined;
  try {
    const overlay = join(dir, 'overlay.qcow2');
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'raw',
      '-b',
      opts.image.root,
      overlay,
    ]);
    const inject = injectDisk(dir, opts.files ?? {});
    const consoleLog = join(dir, 'console.log');
    const socket = join(dir, 'command.sock');
    const accel = vmAccel();
    log(
      `booting a VM under ${accel === 'kvm' ? 'KVM' : 'TCG (software emulation: KVM cannot run here, see accel.ts)'}`,
    );
    const forwards = (opts.forwards ?? []).map(
      (f) =>
        `,guestfwd=tcp:${f.guestAddress}:${String(f.guestPort)}-cmd:socat - TCP:127.0.0.1:${String(f.hostPort)}`,
    );
    const args = [
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-machine',
      'q35',
      ...accelArgs(),
      '-m',
      String(opts.memoryMb ?? 1024),
      '-smp',
      String(opts.cpus ?? 2),
      '-kernel',
      opts.image.kernel,
      '-initrd',
      opts.image.initrd,
      '-append',
      // no_timer_check: under TCG on a loaded host the kernel's early check of the timer
      // interrupt can miss its window and panic ("IO-APIC + timer doesn't work!"), seen here.
      'root=/dev/vda rw console=ttyS0,115200 panic=-1 systemd.show_status=1 net.ifnames=0 no_timer_check',
      '-drive',
      `file=${overlay},if=virtio,format=qcow2,discard=unmap`,
      '-drive',
      `file=${inject},if=virtio,format=raw,readonly=on`,
      '-netdev',
      `user,id=n0,restrict=on${forwards.join('')}`,
      '-device',
      'virtio-net-pci,netdev=n0',
      '-device',
      'virtio-rng-pci',
      '-serial',
      `file:${consoleLog}`,
      '-chardev',
      `socket,id=cmd,path=${socket},server=on,wait=off`,
      '-serial',
      'chardev:cmd',
      '-no-reboot',
    ];
    const stderr = openSync(join(dir, 'qemu.log'), 'w');
    // setpriv --pdeathsig: the kernel kills QEMU if the test process dies without clean-up.
    qemu = spawn('setpriv', ['--pdeathsig', 'KILL', 'qemu-system-x86_64', ...args], {
      stdio: ['ignore', stderr, stderr],
    });
    const proc = qemu;
    // Nor when it exits normally without calling dispose().
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      const qemuLog = join(dir, 'qemu.log');
      const tail = existsSync(qemuLog) ? readFileSync(qemuLog, 'utf8').slice(-2000) : '';
      exited = `QEMU exited (${String(code ?? signal)}): ${tail}`;
    });
    const notExited = () => {
      if (exited) throw new Error(exited);
    };
    // waitFor retries a probe that throws until its deadline: a wait on the guest ends here
    // instead, at once, when QEMU is gone (a guest kernel panic at boot under load waited 600 s).
    const gone = new Promise<never>((_, reject) => {
      proc.once('exit', () => reject(new Error(exited ?? 'QEMU exited')));
    });
    gone.catch(() => undefined);
    const unlessExited = <T>(p: Promise<T>): Promise<T> => Promise.race([p, gone]);

    // The command channel: one connection kept for the VM's life; answers are matched by id.
    // QEMU binds the socket before it listens: connect until it accepts.
    const chan = await waitFor(
      'the command channel socket',
      () => {
        notExited();
        if (!existsSync(socket)) return undefined;
        return new Promise<Socket | undefined>((resolve) => {
          const c = connect(socket);
          c.once('connect', () => resolve(c));
          c.once('error', () => {
            c.destroy();
            resolve(undefined);
          });
        });
      },
      30_000,
      50,
    );
    channel = chan;
    let buffer = '';
    const answers = new Map<string, CommandResult>();
    chan.setEncoding('utf8');
    chan.on('data', (chunk: string) => {
      buffer += chunk;
      for (let m = /@@vm (\S+) (\d+) ([A-Za-z0-9+/=]*)@@/.exec(buffer); m;) {
        answers.set(m[1] ?? '', {
          code: Number(m[2]),
          output: Buffer.from(m[3] ?? '', 'base64').toString('utf8'),
        });
        buffer = buffer.slice(m.index + m[0].length);
        m = /@@vm (\S+) (\d+) ([A-Za-z0-9+/=]*)@@/.exec(buffer);
      }
      if (buffer.length > 1_000_000) buffer = buffer.slice(-100_000);
    });
    chan.on('error', () => {});

    let queue: Promise<unknown> = Promise.resolve();
    const send = (command: string, timeoutMs: number): Promise<CommandResult> => {
      const id = randomBytes(6).toString('hex');
      chan.write(`${id} ${Buffer.from(command).toString('base64')}\n`);
      return unlessExited(
        waitFor(
          `the guest to answer "${command}"`,
          () => {
            notExited();
            return answers.get(id);
          },
          timeoutMs,
          100,
        ),
      );
    };
    const run = (command: string, timeoutMs = 120_000): Promise<CommandResult> => {
      const next = queue.then(() => send(command, timeoutMs));
      queue = next.catch(() => undefined);
      return next;
    };

    const vm: Vm = {
      dir,
      accel,
      consoleLog,
      waitForConsole: (pattern, timeoutMs) =>
        waitFor(
          `console line ${String(pattern)}`,
          () => {
            const text = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '';
            const line = text.split(/\r?\n/).find((l) => pattern.test(l));
            if (line !== undefined) return line;
            notExited();
            return undefined;
          },
          timeoutMs,
          250,
        ),
      async ready(timeoutMs) {
        // Probes until the guest's channel service answers; a probe sent before it started is
        // lost, so each one waits only a few seconds.
        await unlessExited(
          waitFor(
            'the guest command channel',
            async () => {
              notExited();
              try {
                return (await send('true', 5000)).code === 0;
              } catch {
                return false;
              }
            },
            timeoutMs,
            0,
          ),
        );
        // Then until systemd has finished starting up (networking included).
        const state = await send('systemctl is-system-running --wait', timeoutMs);
        if (!/running|degraded/.test(state.output))
          throw new Error(`the guest did not finish booting: ${state.output}`);
        // The injected disk's fstab entry gives up after 10 s; udev under TCG can be slower.
        const mounted = await send('mountpoint -q /mnt/inject || mount /mnt/inject', 60_000);
        if (mounted.code !== 0) throw new Error(`cannot mount /mnt/inject: ${mounted.output}`);
        if (state.output.includes('degraded'))
          log(`guest degraded: ${(await send('systemctl --failed --no-legend', 30_000)).output}`);
      },
      run,
      async sh(command, timeoutMs) {
        const r = await run(command, timeoutMs);
        if (r.code !== 0)
          throw new Error(`guest: ${command} exited ${String(r.code)}: ${r.output.slice(-2000)}`);
        return r.output;
      },
      async shutdown(timeoutMs = 60_000) {
        if (exited) return;
        chan.write(
          `${randomBytes(6).toString('hex')} ${Buffer.from('systemctl poweroff').toString('base64')}\n`,
        );
        try {
          await waitFor('the guest to power off', () => exited !== undefined, timeoutMs, 250);
        } catch {
          log('the guest did not power off in time; killing QEMU');
        }
        proc.kill('SIGKILL');
      },
      async dispose() {
        chan.destroy();
        if (!exited) {
          proc.kill('SIGKILL');
          await waitFor('QEMU to exit', () => exited !== undefined, 10_000, 50);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return vm;
  } catch (err) {
    channel?.destroy();
    qemu?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
