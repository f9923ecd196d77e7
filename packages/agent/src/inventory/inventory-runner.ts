import type { ClientSettings, CustomClassDefinition } from '@steward/protocol';
import { REQUEST_ID_ATTRIBUTE } from '@steward/protocol';
import type { Outbox } from '../outbox/outbox.js';
import { statusMessage } from '../outbox/status-message.js';
import type { CollectedInventory, CollectOptions } from './collect.js';
import { buildInventoryReport } from './inventory-report.js';
import { readInventoryState, writeInventoryState, type InventoryState } from './inventory-state.js';

export interface InventoryCycleDeps {
  stateDir: string;
  outbox: Outbox;
  settings: ClientSettings;
  customClasses: readonly CustomClassDefinition[];
  startedAt: Date;
  /**
   * How to collect: in this process by default; the service passes a collection in a child
   * process (collect-process.ts), so what a full inventory allocates does not stay in it.
   */
  collect?: (options: CollectOptions) => Promise<CollectedInventory>;
}

/** The class of the software file scan (collect.ts), named here so the service need not load collect.ts. */
const SOFTWARE_FILE_CLASS = 'softwareFile';

/** In-process collection, loaded on first use: a service collecting in a child never loads it. */
async function collectHere(options: CollectOptions): Promise<CollectedInventory> {
  const { collectInventory } = await import('./collect.js');
  return collectInventory(options);
}

export interface InventoryCycleRequest {
  /** Send a full report even if a delta would do (`--full`, first run, resync). */
  full?: boolean;
  /** Only the software file scan (its own schedule). */
  softwareScanOnly?: boolean;
  /** Include the software file scan in a delta (it is always part of a full report). */
  includeSoftwareScan?: boolean;
  /** Push request this cycle answers, for the status messages. */
  requestId?: string;
}

export interface InventoryCycleResult {
  kind: 'full' | 'delta';
  changedClasses: string[];
  packageCount: number;
  softwareFiles?: number;
  seq: number;
}

/** Whether the next inventory must be full (first run, resync asked, deltas dropped). */
export function fullInventoryDue(state: InventoryState | undefined, outbox: Outbox): boolean {
  return state === undefined || state.fullRequired || outbox.fullInventoryRequired;
}

/**
 * One inventory cycle: collect, diff against what was last sent, put the report in the outbox
 * (status INVENTORY_COLLECTOR_FAILED/CUSTOM_CLASS_FAILED for failed collectors, INVENTORY_CLASS_PARTIAL
 * with a full report for classes read in part, SOFTWARE_FILE_SCAN_COMPLETED for a software scan, INVENTORY_COLLECTED at the end), and
 * only then save the new inventory state: a crash in between resends, it never loses.
 */
export async function runInventoryCycle(
  deps: InventoryCycleDeps,
  request: InventoryCycleRequest = {},
): Promise<InventoryCycleResult> {
  const state = await readInventoryState(deps.stateDir);
  const full = request.full === true || fullInventoryDue(state, deps.outbox);
  const scan = full || request.softwareScanOnly === true || request.includeSoftwareScan === true;
  const attributes: Record<string, string> =
    request.requestId === undefined ? {} : { [REQUEST_ID_ATTRIBUTE]: request.requestId };

  const collected = await (deps.collect ?? collectHere)({
    customClasses: deps.customClasses,
    softwareScanPaths: deps.settings.softwareScanPaths,
    includeSoftwareScan: scan,
    only: !full && request.softwareScanOnly === true ? [SOFTWARE_FILE_CLASS] : undefined,
    startedAt: deps.startedAt,
  });
  for (const failure of collected.failures) {
    const message = failure.custom
      ? statusMessage('CUSTOM_CLASS_FAILED', [failure.className, failure.error], attributes)
      : statusMessage('INVENTORY_COLLECTOR_FAILED', [failure.className, failure.error], attributes);
    await deps.outbox.enqueueStatus(message);
  }

  // Once per full report, not every cycle: a non-root agent's missing serial number is a fact
  // about the machine to record, not news each hour.
  if (full)
    for (const p of collected.partial)
      await deps.outbox.enqueueStatus(
        statusMessage('INVENTORY_CLASS_PARTIAL', [p.className, p.reason], attributes),
      );

  const built = buildInventoryReport(state, collected, {
    kind: full ? 'full' : 'delta',
    customClassNames: new Set(deps.customClasses.map((c) => c.name)),
  });
  const seq = await deps.outbox.enqueueInventory(built.body);
  if (collected.softwareScan !== undefined) {
    const paths = collected.softwareScan.paths.join(', ') || '(no paths)';
    await deps.outbox.enqueueStatus(
      statusMessage('SOFTWARE_FILE_SCAN_COMPLETED', [String(collected.softwareScan.files), paths], {
        ...attributes,
        truncated: String(collected.softwareScan.truncated),
      }),
    );
  }
  await deps.outbox.enqueueStatus(
    statusMessage(
      'INVENTORY_COLLECTED',
      [built.body.kind, String(built.changedClasses.length), String(built.packageCount)],
      attributes,
    ),
  );

  const next: InventoryState = { ...built.nextState };
  if (request.softwareScanOnly !== true || full) next.lastInventoryAt = collected.collectedAt;
  if (collected.softwareScan !== undefined) next.lastSoftwareScanAt = collected.collectedAt;
  await writeInventoryState(deps.stateDir, next);
  if (built.body.kind === 'full') await deps.outbox.clearFullInventoryRequired();

  const result: InventoryCycleResult = {
    kind: built.body.kind,
    changedClasses: built.changedClasses,
    packageCount: built.packageCount,
    seq,
  };
  if (collected.softwareScan !== undefined) result.softwareFiles = collected.softwareScan.files;
  return result;
}

/** Marks the next inventory as full (site resync request); persisted so a restart keeps it. */
export async function requireFullInventory(stateDir: string, reason: string): Promise<void> {
  const state = await readInventoryState(stateDir);
  if (state === undefined) return; // no state: the next report is full anyway
  await writeInventoryState(stateDir, { ...state, fullRequired: true, fullRequiredReason: reason });
}
