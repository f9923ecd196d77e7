import { join } from 'node:path';
import type { BootImageBuildEnv } from './build-job.js';

/**
 * Where this server's boot image builds find their inputs (ADR 0065): the root cache
 * (`STEWARD_BOOT_IMAGE_CACHE`, else `<data dir>/boot-image-cache`: debootstrap results are
 * hundreds of megabytes and reused across builds), the agent bundle the image runs
 * (`STEWARD_BOOT_AGENT_BUNDLE`: the output of packages/agent/packaging/bundle.sh, which the
 * site's installation ships), and the site's own Node.js binary.
 */
export function bootImageBuildEnv(dataDir: string, caPem: string): BootImageBuildEnv {
  return {
    cacheDir: process.env['STEWARD_BOOT_IMAGE_CACHE'] ?? join(dataDir, 'boot-image-cache'),
    agentBundle: process.env['STEWARD_BOOT_AGENT_BUNDLE'],
    node: process.execPath,
    caPem,
  };
}
