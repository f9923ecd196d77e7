import { FINAL_AGENT_UPGRADE_STATES, type AgentUpgradeState } from '@steward/protocol';
import type { Selectable } from 'kysely';
import { checkRow } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';
import type { AgentUpgradeTable } from '../db/tables/index.js';

export type AgentUpgradeRow = Selectable<AgentUpgradeTable>;

/**
 * Records what an agent reported of one upgrade attempt. The row is keyed by the agent's attempt
 * id, so a retried batch updates it; a report older than the stored one (by the agent's time), or
 * one arriving after the attempt reached a final state, changes nothing.
 */
export async function recordUpgradeReport(tx: Queryable, row: AgentUpgradeRow): Promise<void> {
  const finals: AgentUpgradeState[] = [...FINAL_AGENT_UPGRADE_STATES];
  await tx
    .insertInto('agent_upgrade')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['device_id', 'attempt_id'])
        .doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          scheduled_for: eb.ref('excluded.scheduled_for'),
          updated_at: eb.ref('excluded.updated_at'),
          finished_at: eb.ref('excluded.finished_at'),
          error_code: eb.ref('excluded.error_code'),
          reason: eb.ref('excluded.reason'),
          received_at: eb.ref('excluded.received_at'),
        }))
        .where('agent_upgrade.updated_at', '<=', row.updated_at)
        .where('agent_upgrade.state', 'not in', finals),
    )
    .execute();
}

/** The latest upgrade attempt (by start time) of each of the given devices that has one. */
export async function latestUpgradeAttempts(
  db: Queryable,
  deviceIds: readonly string[],
): Promise<Map<string, AgentUpgradeRow>> {
  const latest = new Map<string, AgentUpgradeRow>();
  // Chunked: both dialects cap the number of bound parameters.
  for (let i = 0; i < deviceIds.length; i += 500) {
    const chunk = deviceIds.slice(i, i + 500);
    const rows = await db
      .selectFrom('agent_upgrade')
      .selectAll()
      .where('device_id', 'in', chunk)
      .orderBy('device_id')
      .orderBy('started_at', 'desc')
      .orderBy('attempt_id', 'desc')
      .execute();
    for (const r of rows)
      if (!latest.has(r.device_id))
        latest.set(r.device_id, checkRow('agent_upgrade', r.attempt_id, r));
  }
  return latest;
}

/** Attempts that ended in `failed` or `rolled-back` within [from, to): the failure chart's rows. */
export async function failedUpgradesBetween(
  db: Queryable,
  range: { from: string; to: string },
): Promise<AgentUpgradeRow[]> {
  const rows = await db
    .selectFrom('agent_upgrade')
    .selectAll()
    .where('state', 'in', ['failed', 'rolled-back'])
    .where('finished_at', '>=', range.from)
    .where('finished_at', '<', range.to)
    .orderBy('finished_at')
    .execute();
  return rows.map((r) => checkRow('agent_upgrade', r.attempt_id, r));
}

export type AgentUpgradeListRow = AgentUpgradeRow & { device_name: string };

/** Attempts latest first (by start time), optionally of one device or in one state. */
export async function listUpgradeAttempts(
  db: Queryable,
  opts: { deviceId?: string; state?: AgentUpgradeState; limit: number },
): Promise<AgentUpgradeListRow[]> {
  let q = db
    .selectFrom('agent_upgrade as u')
    .innerJoin('device as d', 'd.id', 'u.device_id')
    .selectAll('u')
    .select('d.name as device_name');
  if (opts.deviceId !== undefined) q = q.where('u.device_id', '=', opts.deviceId);
  if (opts.state !== undefined) q = q.where('u.state', '=', opts.state);
  const rows = await q
    .orderBy('u.started_at', 'desc')
    .orderBy('u.attempt_id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    ...checkRow('agent_upgrade', r.attempt_id, r),
    device_name: r.device_name,
  }));
}
