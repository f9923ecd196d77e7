/**
 * Boots a Steward boot image (ADR 0065) in QEMU with `-kernel/-initrd` and no disk at all: the
 * initramfs is the whole root. The machine's identity is the test's: `-smbios type=1,uuid=` and
 * the NIC's `mac=`, so the test knows what the boot environment must report. Networking is
 * QEMU's user network with `restrict=on` and only guestfwd rules to 127.0.0.1 ports (ADR 0044);
 * the serial console goes to a log file the test reads. QEMU runs under setpriv --pdeathsig.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accelArgs } from './accel.js';
import { waitFor } from '../site.js';
import type { Forward } from './vm.js';

export interface BootVmOptions {
  /** Direct kernel boot (a boot image); without it the machine boots from `disk`. */
  kernel?: { kernel: string; initrd: string; append: string };
  /** A raw disk image (virtio): an installed system's disk, booted by SeaBIOS from GRUB. */
  disk?: string;
  /** An ISO image in a CD drive, booted first (task-sequence media, ADR 0089). */
  cdrom?: string;
  /** `uefi`: Debian's OVMF (with a fresh copy of its variable store); default SeaBIOS. */
  firmware?: 'bios' | 'uefi';
  smbiosUuid: string;
  mac: string;
  forwards: Forward[];
  memoryMb?: number;
}

export interface BootVm {
  consoleLog: string;
  /** The first console line matching `pattern` (fails at the deadline or when QEMU exits). */
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves when QEMU has exited (the boot environment powers the machine off). */
  exited(timeoutMs: number): Promise<void>;
  console(): string;
  dispose(): Promise<void>;
}

/** OVMF's code read-only and a copy of its variable store (the machine may write it). */
function uefiFirmware(dir: string): string[] {
  const vars = join(dir, 'OVMF_VARS.fd');
  copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
  return [
    '-drive',
    'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
    '-drive',
    `if=pflash,format=raw,unit=1,file=${vars}`,
  ];
}

export function startBootVm(opts: BootVmOptions): BootVm {
  const dir = mkdtempSync(join(tmpdir(), 'steward-boot-vm-'));
  const consoleLog = join(dir, 'console.log');
  const forwards = opts.forwards.map(
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
    String(opts.memoryMb ?? 2048),
    '-smp',
    '2',
    '-smbios',
    `type=1,uuid=${opts.smbiosUuid}`,
    ...(opts.kernel
      ? [
          '-kernel',
          opts.kernel.kernel,
          '-initrd',
          opts.kernel.initrd,
          '-append',
          opts.kernel.append,
        ]
      : []),
    ...(opts.disk ? ['-drive', `file=${opts.disk},format=raw,if=virtio`] : []),
    ...(opts.cdrom
      ? ['-drive', `file=${opts.cdrom},format=raw,media=cdrom,readonly=on`, '-boot', 'd']
      : []),
    ...(opts.firmware === 'uefi' ? uefiFirmware(dir) : []),
    '-netdev',
    `user,id=n0,restrict=on${forwards.join('')}`,
    '-device',
    `virtio-net-pci,netdev=n0,mac=${opts.mac}`,
    '-device',
    'virtio-rng-pci',
    '-serial',
    `file:${consoleLog}`,
    '-no-reboot',
  ];
  const stderr = openSync(join(dir, 'qemu.log'), 'w');
  const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', 'qemu-system-x86_64', ...args], {
    stdio: ['ignore', stderr, stderr],
  });
  const killOnExit = () => qemu.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited: string | undefined;
  qemu.once('exit', (code, signal) => {
    process.off('exit', killOnExit);
    exited = `QEMU exited (${String(code ?? signal)}): ${readFileSync(join(dir, 'qemu.log'), 'utf8').slice(-2000)}`;
  });
  const text = () => (existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '');
  return {
    consoleLog,
    console: text,
    waitForConsole: (pattern, timeoutMs) =>
      waitFor(
        `console line ${String(pattern)}`,
        () => {
          const line = text()
            .split(/\r?\n/)
            .find((l) => pattern.test(l));
          if (line !== undefined) return line;
          if (exited) throw new Error(`${exited}\nconsole tail:\n${text().slice(-3000)}`);
          return undefined;
        },
        timeoutMs,
        250,
      ),
    exited: (timeoutMs) =>
      waitFor('QEMU to exit', () => exited !== undefined || undefined, timeoutMs, 250).then(
        () => undefined,
      ),
    async dispose() {
      if (!exited) {
        qemu.kill('SIGKILL');
        await waitFor('QEMU to exit', () => exited !== undefined, 10_000, 50);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
