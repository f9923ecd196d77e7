import { Type, type Static } from '@sinclair/typebox';
import { InstalledPackage } from '@steward/protocol';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';
import { statePaths } from '../state/state-dir.js';

/**
 * `<state-dir>/inventory-state.json`: what the site was last sent (per-class hashes and the last
 * package list), so the next report can be a delta. "Sent" means durably in the outbox: the
 * outbox delivers in order and nothing leaves it unacknowledged, except by the drop policy,
 * which forces a full report.
 */
export const InventoryState = Type.Object({
  classHashes: Type.Record(Type.String(), Type.String()),
  packages: Type.Optional(
    Type.Object({ hash: Type.String(), items: Type.Array(InstalledPackage) }),
  ),
  lastInventoryAt: Type.Optional(Type.String()),
  lastFullAt: Type.Optional(Type.String()),
  lastSoftwareScanAt: Type.Optional(Type.String()),
  /** The site asked for a resync (or deltas were dropped): the next report is full. */
  fullRequired: Type.Boolean({ default: false }),
  fullRequiredReason: Type.Optional(Type.String()),
});
export type InventoryState = Static<typeof InventoryState>;

/** `undefined` on first run, and when the file is unreadable (a full report repairs both). */
export async function readInventoryState(stateDir: string): Promise<InventoryState | undefined> {
  const path = statePaths(stateDir).inventoryState;
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  try {
    return parseWith(InventoryState, parseJsonText(text, path), path);
  } catch {
    return undefined;
  }
}

export async function writeInventoryState(stateDir: string, state: InventoryState): Promise<void> {
  await writeFileAtomic(statePaths(stateDir).inventoryState, JSON.stringify(state) + '\n', {
    mode: 0o600,
  });
}
