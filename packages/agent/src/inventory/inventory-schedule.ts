import type { ClientSettings } from '@steward/protocol';
import type { InventoryState } from './inventory-state.js';

export interface InventoryTiming {
  /** Milliseconds until the next inventory (0: now). */
  inventoryDelayMs: number;
  /** Milliseconds until the next software file scan. */
  softwareScanDelayMs: number;
  /** A scan is overdue (or never ran): include it in the coming inventory. */
  softwareScanDue: boolean;
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * When inventory and the software scan are next due, from the saved inventory state and the
 * policy intervals, so a restarted agent neither repeats nor skips a cycle. A missing state or a
 * pending full report makes the inventory due at once. Without a previous scan, the first (full)
 * inventory includes one, so the scan schedule starts counting from now.
 */
export function inventoryTiming(
  state: InventoryState | undefined,
  settings: ClientSettings,
  fullPending: boolean,
  now = Date.now(),
): InventoryTiming {
  const lastInventory = parseTime(state?.lastInventoryAt);
  const lastScan = parseTime(state?.lastSoftwareScanAt);
  const inventoryNow =
    fullPending || state === undefined || state.fullRequired || lastInventory === undefined;
  const scanInterval = settings.softwareScanIntervalSeconds * 1000;
  return {
    inventoryDelayMs: inventoryNow
      ? 0
      : Math.max(0, lastInventory + settings.inventoryIntervalSeconds * 1000 - now),
    softwareScanDelayMs: Math.max(0, (lastScan ?? now) + scanInterval - now),
    softwareScanDue: lastScan === undefined || now - lastScan >= scanInterval,
  };
}
