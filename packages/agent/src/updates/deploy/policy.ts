import { createHash } from 'node:crypto';
import {
  instantToWallTime,
  wallTimeToInstant,
  type AgentDeployment,
  type AgentUpdateInstall,
  type WindowSpec,
} from '@steward/protocol';

/**
 * The pure decisions of update enforcement on the agent (ADR 0056): which maintenance windows
 * apply, each device's random delay after a deadline, what to install, and what to do about a
 * restart. No I/O: unit-tested on their own.
 */

/**
 * The windows an update deployment honours: when an enabled update-only window exists, only
 * the update-only windows (they take precedence over windows for all deployments, as in the
 * seed); otherwise the windows for all deployments. Returned as windows of kind 'all' so the
 * software deployments' window check reads them unchanged.
 */
export function updateWindows(windows: readonly WindowSpec[]): WindowSpec[] {
  const updateOnly = windows.filter((w) => w.enabled && w.appliesTo === 'software-updates');
  const chosen = updateOnly.length > 0 ? updateOnly : windows.filter((w) => w.appliesTo === 'all');
  return chosen.map((w) => ({ ...w, appliesTo: 'all' }));
}

/**
 * This device's delay after the deadline, in whole minutes below `maxMinutes`: stable for a
 * device and deployment (a restarted agent keeps its place), spread evenly across devices.
 */
export function deadlineDelayMinutes(
  deviceId: string,
  updateDeploymentId: string,
  maxMinutes: number,
): number {
  if (maxMinutes <= 0) return 0;
  const h = createHash('sha256').update(`${deviceId}\n${updateDeploymentId}`).digest();
  return h.readUInt32BE(0) % (maxMinutes + 1);
}

/** The deployment with its deadline moved by this device's random delay (others unchanged). */
export function withDeadlineDelay(dep: AgentDeployment, deviceId: string): AgentDeployment {
  const u = dep.updateInstall;
  if (!u || u.deadlineRandomDelayMinutes <= 0) return dep;
  const delayMs =
    deadlineDelayMinutes(deviceId, u.updateDeploymentId, u.deadlineRandomDelayMinutes) * 60_000;
  if (delayMs === 0) return dep;
  return {
    ...dep,
    triggers: dep.triggers.map((t) =>
      t.type === 'at'
        ? {
            ...t,
            start: instantToWallTime(
              wallTimeToInstant(t.start, dep.timeBase) + delayMs,
              dep.timeBase,
            ),
          }
        : t,
    ),
  };
}

export interface PackageVersion {
  name: string;
  version: string;
}

/**
 * What to ask apt for: the deployed binaries this machine has installed (an update never pulls
 * in a binary package the machine does not have), one version per package name.
 */
export function packagesToInstall(
  updates: AgentUpdateInstall['updates'],
  installed: ReadonlyMap<string, string>,
): PackageVersion[] {
  const out = new Map<string, PackageVersion>();
  for (const u of updates)
    for (const b of u.binaries) if ((installed.get(b.name) ?? '') !== '') out.set(b.name, b);
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

export type DeviceRole = 'server' | 'workstation';

export type RestartDecision =
  'none' | 'suppressed-server' | 'suppressed-workstation' | 'restart' | 'wait-window';

/** What to do once an install asked for a restart (one restart for every update installed). */
export function decideRestart(o: {
  required: boolean;
  role: DeviceRole;
  options: Pick<
    AgentUpdateInstall,
    'suppressRestartServers' | 'suppressRestartWorkstations' | 'allowRestartOutsideWindows'
  >;
  /** Whether the update windows allow a restart now (true when there are none). */
  inWindow: boolean;
}): RestartDecision {
  if (!o.required) return 'none';
  if (o.role === 'server' && o.options.suppressRestartServers) return 'suppressed-server';
  if (o.role === 'workstation' && o.options.suppressRestartWorkstations)
    return 'suppressed-workstation';
  if (!o.inWindow && !o.options.allowRestartOutsideWindows) return 'wait-window';
  return 'restart';
}

/**
 * The device role when the client setting says `auto`: a machine with a graphical login
 * (a display manager or the graphical target as default) is a workstation, any other a server.
 */
export function roleFromSystem(o: {
  displayManager: boolean;
  graphicalTarget: boolean;
}): DeviceRole {
  return o.displayManager || o.graphicalTarget ? 'workstation' : 'server';
}
