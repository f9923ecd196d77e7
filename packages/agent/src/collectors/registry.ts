import { AgentError } from '../errors.js';
import { agentCollector } from './agent-info.js';
import { cpuCollector } from './linux/cpu.js';
import { localGroupCollector, localUserCollector } from './linux/accounts.js';
import { diskCollector } from './linux/disk.js';
import { firmwareCollector, systemIdentityCollector } from './linux/dmi.js';
import { listeningPortCollector } from './linux/listening-ports.js';
import { machineCollector } from './linux/machine.js';
import { memoryCollector } from './linux/memory.js';
import { ipAddressCollector, networkAdapterCollector } from './linux/network.js';
import { osCollector } from './linux/os.js';
import { dpkgSource, rpmSource } from './linux/packages.js';
import { pciDeviceCollector } from './linux/pci.js';
import { serviceCollector } from './linux/service.js';
import { storageDeviceCollector } from './linux/storage.js';
import { usbDeviceCollector } from './linux/usb.js';
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
        firmwareCollector,
        systemIdentityCollector,
        cpuCollector,
        memoryCollector,
        diskCollector,
        networkAdapterCollector,
        ipAddressCollector,
        pciDeviceCollector,
        usbDeviceCollector,
        storageDeviceCollector,
        serviceCollector,
        userCollector,
        sessionCollector,
        localUserCollector,
        localGroupCollector,
        listeningPortCollector,
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
