import type { ClientCheckReport } from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import { insertRun, upsertStates } from './repository.js';

/**
 * Stores client check runs from a report batch, in the batch's transaction: every run once (on
 * device and sequence number) and each check's latest outcome, so a batch sent twice or out of
 * order leaves the same state.
 */
export async function storeClientChecks(
  tx: Queryable,
  deviceId: string,
  runs: readonly { seq: number; body: ClientCheckReport }[],
  receivedAt: string,
): Promise<void> {
  for (const { seq, body } of runs) {
    await insertRun(tx, { deviceId, seq, report: body, receivedAt });
    await upsertStates(tx, { deviceId, seq, report: body });
  }
}
