import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { StepOf } from '@steward/protocol';
import { failed, type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import type { BootEnvHost } from './host.js';
import { bindForChroot, mountTarget, must, refuse, stepOf } from './target.js';

/**
 * Apply drivers: installs the driver packages (ADR 0055) the host names, matched against this
 * machine's modaliases (auto) or chosen in the step, with the applied system's own dpkg, so
 * they are tracked, upgraded and removed like any package; then module dependencies are
 * rebuilt for every kernel in the image.
 */
export function applyDrivers(
  step: StepOf<'apply-drivers'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    const resolve = host.driverPackages;
    if (!resolve) return failed('this environment has no driver catalog');
    const request = {
      mode: step.settings.mode,
      driverIds: step.settings.driverIds ?? [],
      modaliases: host.modaliases,
    };
    // The site refusing a driver or no DP delivering it fails the step with the host's reason.
    const debs = await resolve(request, ctx.signal).catch((err: unknown) =>
      refuse(err instanceof Error ? err.message : String(err)),
    );
    if (debs.length === 0) return { ...SUCCEEDED, outputTail: 'no driver matches this machine' };
    await mountTarget(host.targetDir, ctx);
    const cache = join(host.targetDir, 'var/cache/steward-drivers');
    await mkdir(cache, { recursive: true });
    const inTarget: string[] = [];
    for (const deb of debs) {
      await copyFile(deb, join(cache, basename(deb)));
      inTarget.push(`/var/cache/steward-drivers/${basename(deb)}`);
    }
    const unbind = await bindForChroot(host.targetDir, ctx);
    try {
      const out = await must('dpkg -i', 'chroot', [host.targetDir, 'dpkg', '-i', ...inTarget], ctx);
      const kernels = await readdir(join(host.targetDir, 'lib/modules')).catch(() => []);
      for (const k of kernels)
        await must(`depmod ${k}`, 'chroot', [host.targetDir, 'depmod', '-a', k], ctx);
      return { ...SUCCEEDED, outputTail: out };
    } finally {
      await unbind();
      await rm(cache, { recursive: true, force: true });
    }
  });
}
