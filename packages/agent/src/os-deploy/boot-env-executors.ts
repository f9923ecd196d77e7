import { type ExecutorRegistry, failed } from '../task-sequence/executor.js';
import { type FullOsHost, fullOsExecutors } from '../task-sequence/full-os-steps.js';
import { installAgent } from './agent-step.js';
import { applyOsImage } from './apply-image-step.js';
import { installBootLoader } from './boot-loader-step.js';
import { captureOsImage } from './capture-step.js';
import { applyDrivers } from './drivers-step.js';
import type { BootEnvHost } from './host.js';
import { applyNetworkToTarget } from './network-step.js';
import { partitionDisk } from './partition-step.js';
import { captureUserState, restoreUserState } from './user-state-step.js';

/**
 * The step kinds the boot environment runs (ADR 0069's seam, ADR 0077): everything the full OS
 * runs, plus the disk, image, boot-loader, driver and agent kinds. Network settings go to the
 * applied system, not to the boot environment's own root.
 */
export function bootEnvExecutors(host: BootEnvHost & FullOsHost): ExecutorRegistry {
  return {
    ...fullOsExecutors(host),
    'partition-disk': (step, ctx) => partitionDisk(step, ctx, host),
    'apply-os-image': (step, ctx) => applyOsImage(step, ctx, host),
    'install-boot-loader': (_step, ctx) => installBootLoader(ctx, host),
    'apply-drivers': (step, ctx) => applyDrivers(step, ctx, host),
    'apply-network-settings': (step, ctx) => applyNetworkToTarget(step, ctx, host),
    'install-agent': (_step, ctx) => installAgent(ctx, host),
    'capture-os-image': (step, ctx) => captureOsImage(step, ctx, host),
    'capture-user-state': (step, ctx) => captureUserState(step, ctx, host),
    'restore-user-state': (step, ctx) => restoreUserState(step, ctx, host),
    // An in-place upgrade changes the installed, running system: never the boot environment.
    'upgrade-os': () =>
      Promise.resolve(failed('an in-place upgrade runs in the installed OS, not the boot image')),
  };
}
