import {
  BUILTIN_CLASS_NAMES,
  type CustomClassDefinition,
  type InventoryInstance,
} from '@steward/protocol';
import { DEFAULT_CLIENT_SETTINGS } from '../channel/policy.js';
import { AgentError, ExitCode } from '../errors.js';
import { collectInventory, PACKAGE_CLASS, type CollectedInventory } from '../inventory/collect.js';
import { readDeviceFile } from '../state/device-file.js';
import { loadPolicy } from '../state/policy-file.js';
import type { CliIo } from './cli-io.js';

export interface InventoryArgs {
  json: boolean;
  className: string | undefined;
  /** When enrolled, the policy there supplies custom classes and software scan paths. */
  stateDir: string;
}

async function policyFor(stateDir: string) {
  try {
    const device = await readDeviceFile(stateDir);
    return device === undefined ? undefined : await loadPolicy(stateDir, device);
  } catch {
    // Not enrolled, or not allowed to read the state (non-root): built-in classes only.
    return undefined;
  }
}

function formatValue(value: InventoryInstance[string]): string {
  return value === null ? '-' : String(value);
}

export function renderInventory(inv: CollectedInventory): string {
  const lines: string[] = [];
  for (const [name, instances] of Object.entries(inv.classes)) {
    lines.push(`${name} (${instances.length})`);
    instances.forEach((instance, i) => {
      const fields = Object.entries(instance).map(([k, v]) => `${k}=${formatValue(v)}`);
      lines.push(
        instances.length === 1 ? `  ${fields.join('  ')}` : `  [${i + 1}] ${fields.join('  ')}`,
      );
    });
  }
  if (inv.packages !== undefined) {
    const managers =
      [...new Set(inv.packages.map((p) => p.manager))].join(', ') || 'no package manager';
    lines.push(`package (${inv.packages.length}, ${managers})`);
    for (const p of inv.packages) lines.push(`  ${p.name} ${p.version} ${p.arch}`);
  }
  return lines.join('\n') + '\n';
}

/** `steward-agent inventory [--json] [--class <name>]`: collects on this machine and prints; no server. */
export async function inventoryCommand(args: InventoryArgs, io: CliIo): Promise<number> {
  const policy = await policyFor(args.stateDir);
  const customClasses: readonly CustomClassDefinition[] = policy?.inventoryClasses ?? [];
  const known = new Set([...BUILTIN_CLASS_NAMES, ...customClasses.map((c) => c.name)]);
  if (args.className !== undefined && !known.has(args.className)) {
    throw new AgentError(
      'UNKNOWN_CLASS',
      `no inventory class "${args.className}"; known: ${[...known].sort().join(', ')}`,
    );
  }
  const collected = await collectInventory({
    customClasses,
    softwareScanPaths: (policy?.settings ?? DEFAULT_CLIENT_SETTINGS).softwareScanPaths,
    includeSoftwareScan: true,
    only: args.className === undefined ? undefined : [args.className],
  });
  for (const f of collected.failures)
    io.err(
      `warning: ${f.custom ? 'custom class' : 'collector'} ${f.className} failed: ${f.error}\n`,
    );
  for (const p of collected.partial)
    io.err(`note: ${p.className} collected in part: ${p.reason}\n`);
  if (args.json) {
    const out: Record<string, unknown> = {
      collectedAt: collected.collectedAt,
      classes: collected.classes,
    };
    if (collected.packages !== undefined) out['packages'] = collected.packages;
    if (collected.partial.length > 0) out['partial'] = collected.partial;
    out['failures'] = collected.failures;
    io.out(JSON.stringify(out, null, 2) + '\n');
  } else {
    io.out(renderInventory(collected));
  }
  const requestedFailed =
    args.className !== undefined && collected.failures.some((f) => f.className === args.className);
  if (requestedFailed) {
    throw new AgentError(
      'COLLECTOR_FAILED',
      `class ${args.className ?? ''} could not be collected`,
    );
  }
  return args.className === PACKAGE_CLASS && collected.packages === undefined
    ? ExitCode.failure
    : ExitCode.ok;
}
