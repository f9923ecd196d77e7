import {
  ClientCheckResult,
  type ClientCheckName,
  type ClientCheckOutcome,
  type ClientCheckReport,
} from '@steward/protocol';
import { Type } from '@sinclair/typebox';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { memberIdsOf } from '../collections/membership-repository.js';
import { deviceNames } from '../devices/repository.js';
import type { Queryable } from '../db/database.js';

const Results = Type.Array(ClientCheckResult);

/** Stores one reported run (once per device and sequence number). */
export async function insertRun(
  tx: Queryable,
  opts: { deviceId: string; seq: number; report: ClientCheckReport; receivedAt: string },
): Promise<void> {
  const { report } = opts;
  await tx
    .insertInto('client_check_run')
    .values({
      device_id: opts.deviceId,
      seq: opts.seq,
      at: report.at,
      trigger: report.trigger,
      mode: report.mode,
      failed: report.results.filter((r) => r.outcome === 'failed').length,
      remediated: report.results.filter((r) => r.outcome === 'remediated').length,
      results: JSON.stringify(report.results),
      received_at: opts.receivedAt,
    })
    .onConflict((oc) => oc.columns(['device_id', 'seq']).doNothing())
    .execute();
}

/**
 * The latest outcome of each check: a result replaces the stored one only when it comes from a
 * later run (batches may arrive out of order after a retry).
 */
export async function upsertStates(
  tx: Queryable,
  opts: { deviceId: string; seq: number; report: ClientCheckReport },
): Promise<void> {
  for (const r of opts.report.results) {
    await tx
      .insertInto('client_check_state')
      .values({
        device_id: opts.deviceId,
        check_name: r.check,
        outcome: r.outcome,
        detail: r.detail,
        seq: opts.seq,
        at: opts.report.at,
      })
      .onConflict((oc) =>
        oc
          .columns(['device_id', 'check_name'])
          .doUpdateSet((eb) => ({
            outcome: eb.ref('excluded.outcome'),
            detail: eb.ref('excluded.detail'),
            seq: eb.ref('excluded.seq'),
            at: eb.ref('excluded.at'),
          }))
          .where('client_check_state.seq', '<', opts.seq),
      )
      .execute();
  }
}

/** A device's runs, newest first. */
export async function runsOf(
  db: Queryable,
  opts: { deviceId: string; limit: number },
): Promise<
  {
    seq: number;
    at: string;
    trigger: ClientCheckReport['trigger'];
    mode: ClientCheckReport['mode'];
    failed: number;
    remediated: number;
    results: ClientCheckResult[];
  }[]
> {
  const rows = await db
    .selectFrom('client_check_run')
    .selectAll()
    .where('device_id', '=', opts.deviceId)
    .orderBy('seq', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    trigger: r.trigger,
    mode: r.mode,
    failed: r.failed,
    remediated: r.remediated,
    results: parseJsonColumn(Results, r.results, {
      table: 'client_check_run',
      id: `${r.device_id}/${String(r.seq)}`,
      column: 'results',
    }),
  }));
}

/** Per check and outcome, how many members of a collection have it as their latest. */
export async function outcomeCounts(
  db: Queryable,
  collectionId: string,
): Promise<{ check_name: ClientCheckName; outcome: ClientCheckOutcome; n: number }[]> {
  const rows = await db
    .selectFrom('client_check_state')
    .select(['check_name', 'outcome', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('device_id', 'in', memberIdsOf(db, collectionId))
    .groupBy(['check_name', 'outcome'])
    .execute();
  return rows.map((r) => ({ check_name: r.check_name, outcome: r.outcome, n: Number(r.n) }));
}

/** How many members of a collection have reported any client check. */
export async function reportedCount(db: Queryable, collectionId: string): Promise<number> {
  const row = await db
    .selectFrom('client_check_state')
    .select((eb) => eb.fn.count<number | string>('device_id').distinct().as('n'))
    .where('device_id', 'in', memberIdsOf(db, collectionId))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Members of a collection whose latest outcome of this check is failed, with the detail. */
export async function devicesFailing(
  db: Queryable,
  opts: { check: ClientCheckName; collectionId?: string },
): Promise<{ device_id: string; device_name: string; detail: string; at: string }[]> {
  let q = db
    .selectFrom('client_check_state as s')
    .innerJoin(deviceNames(db).as('d'), 'd.id', 's.device_id')
    .select(['s.device_id', 'd.name as device_name', 's.detail', 's.at'])
    .where('s.check_name', '=', opts.check)
    .where('s.outcome', '=', 'failed');
  if (opts.collectionId !== undefined)
    q = q.where('s.device_id', 'in', memberIdsOf(db, opts.collectionId));
  return q.orderBy('s.at', 'desc').execute();
}

/**
 * The checks failing at each device's latest client check, for the devices of a collection
 * (undefined: all) that reported one; a device that passed everything maps to an empty list.
 */
export async function failedChecksOf(
  db: Queryable,
  opts: { collectionId: string | undefined },
): Promise<Map<string, ClientCheckName[]>> {
  let q = db
    .selectFrom('client_check_state')
    .select(['device_id', 'check_name', 'outcome'])
    .orderBy('device_id')
    .orderBy('check_name');
  if (opts.collectionId !== undefined)
    q = q.where('device_id', 'in', memberIdsOf(db, opts.collectionId));
  const byDevice = new Map<string, ClientCheckName[]>();
  for (const r of await q.execute()) {
    const list = byDevice.get(r.device_id) ?? [];
    if (r.outcome === 'failed') list.push(r.check_name);
    byDevice.set(r.device_id, list);
  }
  return byDevice;
}

/** The latest outcome of one check on these devices (the agent service: "agent stopped"). */
export function latestCheckOf(
  db: Queryable,
  checkName: ClientCheckName,
  deviceIds: readonly string[],
): Promise<{ device_id: string; outcome: string; detail: string }[]> {
  if (deviceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('client_check_state')
    .select(['device_id', 'outcome', 'detail'])
    .where('check_name', '=', checkName)
    .where('device_id', 'in', [...deviceIds])
    .execute();
}
