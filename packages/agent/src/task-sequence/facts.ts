import { availableParallelism } from 'node:os';
import type { InventoryInstance } from '@steward/protocol';
import { identifyMachine } from '../boot-env/identify.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseMeminfo } from '../collectors/linux/memory.js';
import { readOsRelease } from '../collectors/linux/os.js';
import { collectorsFor } from '../collectors/registry.js';
import { readText } from '../collectors/system.js';
import type { PlatformCollectors } from '../collectors/types.js';
import type { Facts } from './conditions.js';

/** The inventory classes whose properties are facts (`os.version`, `memory.totalMb`, ...). */
export const FACT_CLASSES: readonly string[] = [
  'os',
  'machine',
  'cpu',
  'memory',
  'firmware',
  'systemIdentity',
];

type FactValues = Record<string, string | string[]>;

function add(out: FactValues, name: string, value: string): void {
  const held = out[name];
  if (held === undefined) out[name] = value;
  else if (typeof held === 'string') out[name] = held === value ? held : [held, value];
  else if (!held.includes(value)) held.push(value);
}

/** `<class>.<property>` for every non-null property; several instances make a list fact. */
export function inventoryFacts(
  classes: Readonly<Record<string, readonly InventoryInstance[]>>,
): FactValues {
  const out: FactValues = {};
  for (const [className, instances] of Object.entries(classes))
    for (const instance of instances)
      for (const [prop, value] of Object.entries(instance))
        if (value !== null && typeof value !== 'object')
          add(out, `${className}.${prop}`, String(value));
  return out;
}

export interface FactSources {
  collectors?: PlatformCollectors;
  /** sysfs root (tests pass a tree of their own). */
  sys?: string;
  log?: Logger;
}

/**
 * What a full-OS task sequence's conditions test (issue 11), read when a run starts or resumes:
 * - inventory facts: the properties of the agent's own inventory classes ({@link FACT_CLASSES})
 *   as `<class>.<property>` (`os.version`, `os.codename`, `machine.type`, `memory.totalMb`),
 *   `os.id` (os-release's ID), and `package.<name>` for every installed package (its version);
 * - hardware facts: `architecture` (Debian's name: amd64, arm64), `firmware` (bios, uefi),
 *   `smbiosUuid`, `macAddress` and `modalias` (lists), `memoryMiB`, `cpuCount`.
 * A source that cannot be read leaves its facts out (an `exists` test on them is false).
 */
export async function machineFacts(src: FactSources = {}): Promise<Facts> {
  const platform = src.collectors ?? collectorsFor();
  const classes: Record<string, InventoryInstance[]> = {};
  const ctx = { startedAt: new Date(), softwareScanPaths: [], maxSoftwareFiles: 0 };
  for (const collector of platform.classes) {
    if (!FACT_CLASSES.includes(collector.className)) continue;
    try {
      classes[collector.className] = await collector.collect(ctx);
    } catch (err) {
      src.log?.warn(`task-sequence facts: ${collector.className}: ${errorMessage(err)}`);
    }
  }
  const inventory = inventoryFacts(classes);
  const osId = (await readOsRelease())['ID'];
  if (osId !== undefined) inventory['os.id'] = osId;
  for (const source of platform.packages) {
    try {
      if (!(await source.available())) continue;
      for (const p of await source.list()) add(inventory, `package.${p.name}`, p.version);
    } catch (err) {
      src.log?.warn(`task-sequence facts: ${source.manager} packages: ${errorMessage(err)}`);
    }
  }
  const id = await identifyMachine(src.sys);
  const hardware: FactValues = {
    architecture: id.arch,
    firmware: id.firmware,
    macAddress: id.macs,
    modalias: id.modaliases,
    cpuCount: String(availableParallelism()),
  };
  if (id.smbiosUuid !== null) hardware['smbiosUuid'] = id.smbiosUuid;
  const total = parseMeminfo((await readText('/proc/meminfo')) ?? '').get('MemTotal');
  if (total !== undefined) hardware['memoryMiB'] = String(Math.floor(total / 1024));
  return { inventory, hardware };
}
