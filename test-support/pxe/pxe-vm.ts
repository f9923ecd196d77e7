/**
 * A QEMU machine that network-boots on the test's PXE LAN (lan.ts): BIOS (SeaBIOS with QEMU's
 * iPXE option ROM) or UEFI (Debian's OVMF with its own PXE client: the NIC has no option ROM), a virtio NIC on a
 * tap in the LAN namespace (no user networking), the first serial port to a file. Optionally a
 * disk, booted after the network when PXE says "exit". TCG where KVM cannot run (test-support/vm/accel.ts).
 *
 * For a whole deployment (the OS deployment journey), `disk` attaches a disk image as the first
 * boot device, as on a bare-metal machine: empty, the firmware passes it over and boots from the
 * network; once a deployment has installed a boot loader on it, the machine boots it. `reboot`
 * lets the guest reboot (the task sequence's restart) instead of ending QEMU, and `smbiosUuid`
 * sets the machine's SMBIOS UUID.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { accelArgs } from '../vm/accel.js';
import { waitFor } from '../site.js';
import type { PxeLan } from './lan.js';

export type Firmware = 'bios' | 'uefi';

export interface PxeVm {
  name: string;
  mac: string;
  consoleLog: string;
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<string>;
  kill(): void;
}

/**
 * A 512-byte MBR whose code writes "STEWARD-DISK-BOOT" to COM1 and halts: proof that the
 * firmware went on to the disk after iPXE's `exit`. (cld; xor ax,ax; mov ds,ax; mov si,msg;
 * mov dx,0x3f8; lodsb; test al,al; jz hlt; out dx,al; jmp lodsb; hlt; jmp hlt; msg.)
 */
export function serialMarkerBootSector(): Buffer {
  const code = [
    0xfc, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x16, 0x7c, 0xba, 0xf8, 0x03, 0xac, 0x84, 0xc0, 0x74, 0x03,
    0xee, 0xeb, 0xf8, 0xf4, 0xeb, 0xfd,
  ];
  const sector = Buffer.alloc(512);
  Buffer.from(code).copy(sector, 0);
  Buffer.from('STEWARD-DISK-BOOT\r\n\0', 'latin1').copy(sector, code.length);
  sector.writeUInt16LE(0xaa55, 510);
  return sector;
}

export function startPxeVm(
  lan: PxeLan,
  opts: {
    name: string;
    firmware: Firmware;
    macSuffix: number;
    bootDisk?: boolean;
    /** A raw disk image, booted before the network (after it with `networkFirst`). */
    disk?: string;
    /** Boot the network before `disk`: a machine sent to the boot image although it has an OS. */
    networkFirst?: boolean;
    reboot?: boolean;
    smbiosUuid?: string;
    memoryMiB?: number;
  },
): PxeVm {
  const mac = `52:54:00:5e:00:${opts.macSuffix.toString(16).padStart(2, '0')}`;
  const tap = lan.addTap();
  const consoleLog = join(lan.dir, `${opts.name}.console.log`);
  writeFileSync(consoleLog, '');
  const args = [
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-machine',
    'q35',
    ...accelArgs(),
    '-m',
    String(opts.memoryMiB ?? 1024),
    ...(opts.smbiosUuid ? ['-smbios', `type=1,uuid=${opts.smbiosUuid}`] : []),
    '-netdev',
    `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    '-device',
    // UEFI: no option ROM, so OVMF's own PXE client (VirtioNetDxe + PxeBcDxe) asks, not
    // QEMU's iPXE ROM; BIOS keeps the ROM (SeaBIOS has no PXE client of its own).
    `virtio-net-pci,netdev=n0,mac=${mac},bootindex=1${opts.firmware === 'uefi' ? ',romfile=' : ''}`,
    '-serial',
    `file:${consoleLog}`,
    ...(opts.reboot ? [] : ['-no-reboot']),
    // The firmware's own log (SeaBIOS and OVMF write to the debug port): which device it booted.
    '-chardev',
    `file,id=fwlog,path=${join(lan.dir, `${opts.name}.firmware.log`)}`,
    '-device',
    'isa-debugcon,iobase=0x402,chardev=fwlog',
  ];
  if (opts.disk)
    args.push(
      '-drive',
      `file=${opts.disk},if=none,id=d0,format=raw`,
      '-device',
      `virtio-blk-pci,drive=d0,bootindex=${opts.networkFirst ? '2' : '0'}`,
    );
  if (opts.firmware === 'uefi') {
    const vars = join(lan.dir, `${opts.name}.vars.fd`);
    copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
    args.push(
      '-drive',
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      '-drive',
      `if=pflash,format=raw,unit=1,file=${vars}`,
    );
  }
  if (opts.bootDisk && !opts.disk) {
    const disk = join(lan.dir, `${opts.name}.disk.raw`);
    writeFileSync(disk, Buffer.concat([serialMarkerBootSector(), Buffer.alloc(1024 * 1024 - 512)]));
    args.push(
      '-drive',
      `file=${disk},if=none,id=d0,format=raw`,
      '-device',
      'virtio-blk-pci,drive=d0,bootindex=2',
    );
  }
  const qemu: ChildProcess = lan.spawnIn(
    lan.lanNs,
    'qemu-system-x86_64',
    args,
    `${opts.name}.qemu.log`,
  );
  return {
    name: opts.name,
    mac,
    consoleLog,
    // The line, or at once an error when QEMU has exited without printing it (waitFor retries
    // on errors, so the exit is its own answer).
    waitForConsole: async (pattern, timeoutMs) => {
      const found = await waitFor(
        `${opts.name}: console line ${String(pattern)}`,
        () => {
          const text = existsSync(consoleLog) ? readFileSync(consoleLog, 'latin1') : '';
          const line = text.split(/\r?\n/).find((l) => pattern.test(l));
          if (line !== undefined) return { line };
          if (qemu.exitCode !== null || qemu.signalCode !== null) return { exited: text };
          return undefined;
        },
        timeoutMs,
        250,
      );
      if (found.line !== undefined) return found.line;
      throw new Error(
        `${opts.name}: QEMU exited (${String(qemu.exitCode ?? qemu.signalCode)}) before ${String(pattern)}: ${readFileSync(join(lan.dir, `${opts.name}.qemu.log`), 'utf8').slice(-1500)}\nconsole: ${(found.exited ?? '').slice(-1500)}`,
      );
    },
    kill: () => qemu.kill('SIGKILL'),
  };
}
