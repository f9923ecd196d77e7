/**
 * Which QEMU accelerator the test VMs use, decided once for every launcher (vm.ts, boot-vm.ts,
 * pxe-vm.ts).
 *
 * KVM only where it can run: `/dev/kvm` readable and writable AND a CPU that advertises hardware
 * virtualisation (`vmx` or `svm` in /proc/cpuinfo). A machine that is itself a VM without nested
 * virtualisation can still expose `/dev/kvm` (seen here: a Firecracker guest); QEMU then starts
 * under KVM and the guest never prints a line, so the device alone is not proof.
 * `STEWARD_VM_ACCEL=kvm|tcg` overrides the probe.
 */
import { accessSync, constants, readFileSync } from 'node:fs';

export type Accel = 'kvm' | 'tcg';

function probe(): Accel {
  const forced = process.env.STEWARD_VM_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return 'tcg';
  }
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return 'tcg';
  }
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo) ? 'kvm' : 'tcg';
}

let decided: Accel | undefined;

export function vmAccel(): Accel {
  decided ??= probe();
  return decided;
}

/** QEMU arguments for the accelerator: KVM with TCG as QEMU's own fallback, or TCG alone. */
export function accelArgs(): string[] {
  return vmAccel() === 'kvm'
    ? ['-accel', 'kvm', '-cpu', 'host', '-accel', 'tcg']
    : ['-accel', 'tcg'];
}
