import type { WindowSpec } from '@steward/protocol';
import { windowCheck } from '../software/deployment-evaluator.js';

const HOUR_MS = 3_600_000;
/** What an upgrade must fit in a maintenance window: download, install, restart and report in. */
export const UPGRADE_DURATION_MS = 15 * 60_000;

/**
 * When an agent upgrades (ADR 0027): a random instant within the upgrade window after it first
 * saw the target, so a fleet does not download at once; moved to the next start that fits a
 * maintenance window of type "all" when the device has any (no fitting start: the random instant).
 */
export function upgradeTime(o: {
  nowMs: number;
  windowHours: number;
  windows: readonly WindowSpec[];
  random: number;
}): number {
  const at = o.nowMs + Math.floor(o.random * o.windowHours * HOUR_MS);
  return fitWindow(o.windows, at);
}

/** `at` itself when no maintenance window applies or it falls inside one; else the next fit. */
export function fitWindow(windows: readonly WindowSpec[], at: number): number {
  const check = windowCheck(windows, at, UPGRADE_DURATION_MS);
  if (check.ok) return at;
  return check.nextRunAtMs ?? at;
}
