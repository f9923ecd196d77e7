import { AgentError } from '../errors.js';
import { agentCollector } from './agent-info.js';
import { cpuCollector } from './linux/cpu.js';
import { diskCollector } from './linux/disk.js';
import { machineCollector } from './linux/machine.js';
import { memoryCollector } from './linux/memory.js';
import { ipAddressCollector, networkAdapterCollector } from './linux/network.js';
import { osCollector } from './linux/os.js';
import { dpkgSource, rpmSource } from './linux/packages.js';
import { serviceCollector } from './linux/service.js';
import { sessionCollector, userCollector } from './linux/users.js';
import { softwareFileCollector } from './software-files.js';
import type { PlatformCollectors } from './types.js';

/**
 * Collectors keyed by platform (DESIGN.md section 7): Windows or macOS add an entry here with
 * their own collectors for the same classes; nothing else in the agent or the server changes.
 */
const registry = new Map<NodeJS.Platform, PlatformCollectors>([
  [
    'linux',
    {
      platform: 'linux',
      classes: [
        osCollector,
        machineCollector,
        cpuCollector,
        memoryCollector,
        diskCollector,
        networkAdapterCollector,
        ipAddressCollector,
        serviceCollector,
        userCollector,
        sessionCollector,
        softwareFileCollector,
        agentCollector,
      ],
      packages: [dpkgSource, rpmSource],
    },
  ],
]);

export function registerPlatformCollectors(collectors: PlatformCollectors): void {
  registry.set(collectors.platform, collectors);
}

export function collectorsFor(platform: NodeJS.Platform = process.platform): PlatformCollectors {
  const found = registry.get(platform);
  if (found === undefined)
    throw new AgentError(
      'UNSUPPORTED_PLATFORM',
      `no inventory collectors for platform ${platform}`,
    );
  return found;
}
