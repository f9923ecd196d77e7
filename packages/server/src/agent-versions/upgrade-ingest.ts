import type { AgentUpgradeReport } from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import { recordUpgradeReport } from './upgrade-repository.js';

/**
 * Stores agent upgrade reports from a report batch, in the batch's transaction. Keyed by the
 * agent's attempt id, so a batch sent twice or out of order leaves the same row (a report older
 * than the stored one, or after a final state, changes nothing).
 */
export async function storeUpgradeReports(
  tx: Queryable,
  deviceId: string,
  reports: readonly AgentUpgradeReport[],
  receivedAt: string,
): Promise<void> {
  for (const r of reports) {
    await recordUpgradeReport(tx, {
      device_id: deviceId,
      attempt_id: r.attemptId,
      from_version: r.fromVersion,
      to_version: r.toVersion,
      rollout: r.rollout,
      state: r.state,
      scheduled_for: r.scheduledFor,
      started_at: r.startedAt,
      updated_at: r.updatedAt,
      finished_at: r.finishedAt,
      error_code: r.errorCode,
      reason: r.reason,
      received_at: receivedAt,
    });
  }
}
