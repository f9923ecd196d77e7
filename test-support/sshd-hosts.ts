/**
 * Real SSH "hosts" for client push tests: `/usr/sbin/sshd -D -f <cfg>` processes (run as root)
 * on loopback addresses, each with its own host key, an authorized key for the test and
 * `SetEnv STEWARD_PREFIX=<dir> STEWARD_STATE_DIR=<dir>` so each host installs the agent into its
 * own folder. A host can run in a private mount namespace (`unshare -m`) with a fake
 * /etc/os-release or a tiny tmpfs at its prefix. Only loopback addresses; `stop` kills the sshd
 * and every process (the detached agents) whose command line or environment names the host's
 * folder, then removes it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './site.js';

export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A fresh ed25519 key pair (OpenSSH format) made with ssh-keygen. */
export function makeKeyPair(dir: string, name: string): SshKeyPair {
  const file = join(dir, name);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
  return {
    privateKey: readFileSync(file, 'utf8'),
    publicKey: readFileSync(`${file}.pub`, 'utf8').trim(),
  };
}

/** The `SHA256:...` fingerprint of a public key file, as ssh-keygen -l prints it. */
export function fingerprintOf(pubFile: string): string {
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]);
  return r.stdout.toString().split(' ')[1] ?? '';
}

export interface SshHostOptions {
  /** Keys allowed to log in as root. */
  authorizedKeys: string[];
  /** 127.x.y.z; random when unset. */
  address?: string;
  port?: number;
  /** Bind-mounted over /etc/os-release inside a private mount namespace. */
  osRelease?: string;
  /** A tmpfs of this many KiB mounted at the prefix inside a private mount namespace. */
  prefixTmpfsKb?: number;
  /**
   * A machine without Node.js: inside a private mount namespace a non-executable file covers the
   * node binary this test runs with, so `node` in the host's sessions does not run.
   */
  withoutNode?: boolean;
}

export interface SshHost {
  dir: string;
  address: string;
  port: number;
  /** `address:port`, what a push targets. */
  target: string;
  prefix: string;
  stateDir: string;
  hostKeyFingerprint: string;
  /** Starts sshd (again, after `stopSshd`) on the same address, port and host key. */
  start(): Promise<void>;
  /** Stops sshd only (the host "goes away"); the folder and the agent stay. */
  stopSshd(): Promise<void>;
  /** Replaces the host key (a reinstalled machine); takes effect at the next start. */
  newHostKey(): void;
  /** Stops sshd and everything started from this host's folder, removes the folder. */
  stop(): Promise<void>;
}

export function randomLoopback(): string {
  return `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
}

/** Resolves once something accepts TCP connections at address:port. */
function listening(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Pids (not ours) whose command line or environment contains `needle`, or that work inside it. */
function pidsMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    for (const file of ['cmdline', 'environ', 'cwd']) {
      try {
        const seen =
          file === 'cwd'
            ? readlinkSync(`/proc/${pid}/cwd`).startsWith(needle)
            : readFileSync(`/proc/${pid}/${file}`).includes(needle);
        if (seen) {
          found.push(pid);
          break;
        }
      } catch {
        // gone, or not readable
      }
    }
  }
  return found;
}

export async function startSshHost(opts: SshHostOptions): Promise<SshHost> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'steward-sshhost-'));
  const address = opts.address ?? randomLoopback();
  const port = opts.port ?? randomInt(20_000, 60_000);
  const prefix = join(dir, 'prefix');
  const stateDir = join(dir, 'state');
  mkdirSync(prefix, { recursive: true });
  const hostKey = join(dir, 'host_key');
  const makeHostKey = (): void => {
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
  };
  makeHostKey();
  writeFileSync(join(dir, 'authorized_keys'), `${opts.authorizedKeys.join('\n')}\n`, {
    mode: 0o600,
  });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxStartups 200',
      'Subsystem sftp internal-sftp',
      `SetEnv STEWARD_PREFIX=${prefix} STEWARD_STATE_DIR=${stateDir}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let osReleaseFile: string | undefined;
  if (opts.osRelease !== undefined) {
    osReleaseFile = join(dir, 'os-release');
    writeFileSync(osReleaseFile, opts.osRelease);
  }
  let child: ChildProcess | undefined;
  let output = '';
  const host: SshHost = {
    dir,
    address,
    port,
    target: `${address}:${port}`,
    prefix,
    stateDir,
    hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
    async start() {
      const sshd = `exec /usr/sbin/sshd -D -e -f ${config}`;
      const setup: string[] = [];
      // Sessions run the account's shell, and bash run by sshd reads ~/.bashrc: this machine's
      // runs `pyenv init`, whose rehash waits up to a minute on a lock a killed process left.
      // A test host is a clean machine: its sessions see an empty ~/.bashrc (as root, in the
      // host's private mount namespace; the machine's own file is untouched).
      const bashrc = join(homedir(), '.bashrc');
      if (process.getuid?.() === 0 && existsSync(bashrc)) {
        const empty = join(dir, 'bashrc');
        writeFileSync(empty, '# a test host: no shell start-up of the machine it runs on\n');
        setup.push(`mount --bind ${empty} ${bashrc}`);
      }
      if (osReleaseFile) setup.push(`mount --bind ${osReleaseFile} /etc/os-release`);
      if (opts.withoutNode === true) {
        const notNode = join(dir, 'not-node');
        writeFileSync(notNode, 'a test host without Node.js\n', { mode: 0o644 });
        setup.push(`mount --bind ${notNode} ${realpathSync(process.execPath)}`);
      }
      if (opts.prefixTmpfsKb !== undefined)
        setup.push(`mount -t tmpfs -o size=${opts.prefixTmpfsKb}k steward-test ${prefix}`);
      child =
        setup.length > 0
          ? spawn(
              'unshare',
              ['-m', '--propagation', 'private', 'sh', '-c', `${setup.join(' && ')} && ${sshd}`],
              {
                stdio: ['ignore', 'pipe', 'pipe'],
              },
            )
          : spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
              stdio: ['ignore', 'pipe', 'pipe'],
            });
      const c = child;
      c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor(
        `sshd at ${address}:${port}`,
        async () => {
          if (c.exitCode !== null) throw new Error(`sshd exited: ${output}`);
          return listening(address, port);
        },
        20_000,
        50,
      );
    },
    async stopSshd() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
    newHostKey() {
      makeHostKey();
      host.hostKeyFingerprint = fingerprintOf(`${hostKey}.pub`);
    },
    async stop() {
      await host.stopSshd();
      // The agents install-agent.sh started detached, and any session still running: kill them
      // until none is left (a dying session can start one more child), then remove the folder.
      // A write that lands while the folder is removed (ENOTEMPTY) starts another round.
      for (let round = 1; ; round++) {
        for (
          let i = 0, pids = pidsMentioning(dir);
          pids.length > 0 && i < 100;
          i++, pids = pidsMentioning(dir)
        ) {
          for (const pid of pids)
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          await new Promise((r) => setTimeout(r, 50));
        }
        try {
          rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
          return;
        } catch (err) {
          if (round >= 20) throw err;
        }
      }
    },
  };
  await host.start();
  return host;
}
