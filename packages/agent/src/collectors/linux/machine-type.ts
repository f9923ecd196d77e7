import type { MachineType } from '@steward/protocol';

/** SMBIOS chassis types (DMTF DSP0134, table 17) grouped by what they say about the machine. */
export const LAPTOP_CHASSIS: ReadonlySet<number> = new Set([8, 9, 10, 11, 14, 30, 31, 32]);
export const DESKTOP_CHASSIS: ReadonlySet<number> = new Set([
  3, 4, 5, 6, 7, 13, 15, 16, 24, 35, 36,
]);
export const SERVER_CHASSIS: ReadonlySet<number> = new Set([17, 23, 25, 28, 29]);

export interface MachineSignals {
  /** Hypervisor under this OS (kvm, vmware, microsoft...), if any. */
  vm: string | null;
  /** Container runtime this OS runs in (docker, podman, lxc...), if any. */
  container: string | null;
  chassisType: number | null;
  hasBattery: boolean;
  /** A display manager or graphical default target is configured. */
  graphical: boolean;
  /** Well-known server daemons installed (sshd is deliberately not one: every box has it). */
  serverServices: readonly string[];
}

export interface MachineTypeDecision {
  type: MachineType;
  reason: string;
}

function describe(s: MachineSignals): string {
  const parts = [
    s.container !== null
      ? `container ${s.container}${s.vm !== null ? ` on ${s.vm}` : ''}`
      : s.vm !== null
        ? `hypervisor ${s.vm}`
        : 'no virtualization',
    s.chassisType !== null ? `chassis type ${s.chassisType}` : 'no chassis type',
    s.hasBattery ? 'battery present' : 'no battery',
    s.graphical ? 'display manager configured' : 'no display manager',
    s.serverServices.length > 0
      ? `server services: ${s.serverServices.join(', ')}`
      : 'no server services',
  ];
  return parts.join('; ');
}

/**
 * Decides the machine type from several signals, in order of how much each one proves:
 * virtualization, then the chassis (and a battery), then what the system is set up to do.
 * The reason names the deciding signal first and lists every signal that was looked at.
 */
export function decideMachineType(s: MachineSignals): MachineTypeDecision {
  const all = describe(s);
  const decide = (type: MachineType, why: string): MachineTypeDecision => ({
    type,
    reason: `${why} (${all})`,
  });
  if (s.container !== null) return decide('virtual-machine', `runs in a ${s.container} container`);
  if (s.vm !== null) return decide('virtual-machine', `runs under ${s.vm}`);
  if (s.chassisType !== null && LAPTOP_CHASSIS.has(s.chassisType))
    return decide('laptop', `portable chassis type ${s.chassisType}`);
  if (s.hasBattery) return decide('laptop', 'has a system battery');
  if (s.chassisType !== null && SERVER_CHASSIS.has(s.chassisType))
    return decide('server', `server chassis type ${s.chassisType}`);
  if (!s.graphical && s.serverServices.length > 0)
    return decide('server', 'no display manager and server services installed');
  if (s.chassisType !== null && DESKTOP_CHASSIS.has(s.chassisType))
    return decide('desktop', `desktop chassis type ${s.chassisType}`);
  if (s.graphical) return decide('desktop', 'display manager configured');
  return decide('unknown', 'no deciding signal');
}
