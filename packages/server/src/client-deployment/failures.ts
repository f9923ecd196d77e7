import type {
  ClientFailureBucket,
  ClientFailureChart,
  ClientFailureRow,
  FailurePeriod,
  FailureReasonCount,
} from '@steward/protocol';
import { failedUpgradesBetween } from '../agent-versions/upgrade-repository.js';
import { pushAttemptsFinishedBetween } from '../client-push/repository.js';
import type { Queryable } from '../db/database.js';
import { deviceNamesOf } from '../devices/repository.js';
import { addBuckets, bucketStarts } from './buckets.js';

/** One failed (or, for pushes, succeeded) client deployment attempt, as the chart counts it. */
interface Outcome {
  at: string;
  kind: 'push' | 'upgrade';
  failed: boolean;
  code: string;
  row: ClientFailureRow;
}

/** Failed and succeeded pushes, failed agent upgrades, within [from, to). */
async function outcomesBetween(
  db: Queryable,
  range: { from: string; to: string },
): Promise<Outcome[]> {
  const pushes = await pushAttemptsFinishedBetween(db, range);
  const upgrades = await failedUpgradesBetween(db, range);
  const names = await deviceNamesOf(
    db,
    upgrades.map((u) => u.device_id),
  );
  const out: Outcome[] = [];
  for (const p of pushes) {
    const at = p.finished_at ?? p.started_at;
    const code = p.error_code ?? 'PUSH_SESSION_FAILED';
    out.push({
      at,
      kind: 'push',
      failed: p.outcome === 'failed',
      code,
      row: {
        at,
        kind: 'push',
        target: `${p.host}:${String(p.port)}`,
        deviceId: p.device_id,
        version: p.agent_version,
        code,
        // The target keeps the message of its latest attempt only; older ones have their code.
        reason: (p.number === p.attempts ? p.last_error : null) ?? code,
        attemptRef: p.target_id,
      },
    });
  }
  for (const u of upgrades) {
    const at = u.finished_at ?? u.updated_at;
    const code =
      u.error_code ?? (u.state === 'rolled-back' ? 'UPGRADE_ROLLED_BACK' : 'UPGRADE_FAILED');
    out.push({
      at,
      kind: 'upgrade',
      failed: true,
      code,
      row: {
        at,
        kind: 'upgrade',
        target: names.get(u.device_id) ?? u.device_id,
        deviceId: u.device_id,
        version: u.to_version,
        code,
        reason: `${u.state}${u.reason ? `: ${u.reason}` : ''}`,
        attemptRef: u.attempt_id,
      },
    });
  }
  return out;
}

function countReasons(outcomes: readonly Outcome[]): FailureReasonCount[] {
  const counts = new Map<string, FailureReasonCount>();
  for (const o of outcomes) {
    if (!o.failed) continue;
    const key = `${o.kind}/${o.code}`;
    const c = counts.get(key) ?? { kind: o.kind, code: o.code, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** The failure chart: failed pushes and upgrades per bucket, with their reasons. */
export async function failureChart(
  db: Queryable,
  q: { period: FailurePeriod; buckets: number; now: Date },
): Promise<ClientFailureChart> {
  const starts = bucketStarts(q.now, q.period, q.buckets);
  const first = starts[0] ?? q.now;
  const from = first.toISOString();
  const to = addBuckets(starts[starts.length - 1] ?? first, q.period, 1).toISOString();
  const outcomes = await outcomesBetween(db, { from, to });
  const buckets = starts.map((start, i): ClientFailureBucket & { end: string } => ({
    start: start.toISOString(),
    end: (starts[i + 1] ?? new Date(to)).toISOString(),
    push: 0,
    upgrade: 0,
    pushSucceeded: 0,
    reasons: [],
  }));
  const byBucket = new Map<number, Outcome[]>();
  for (const o of outcomes) {
    // The buckets are few (at most 366): a scan is simpler than arithmetic on months.
    const i = buckets.findIndex((b) => o.at >= b.start && o.at < b.end);
    if (i < 0) continue;
    const b = buckets[i];
    if (!b) continue;
    if (!o.failed) b.pushSucceeded++;
    else if (o.kind === 'push') b.push++;
    else b.upgrade++;
    const list = byBucket.get(i);
    if (list) list.push(o);
    else byBucket.set(i, [o]);
  }
  return {
    period: q.period,
    from,
    to,
    buckets: buckets.map(({ end: _end, ...b }, i) => ({
      ...b,
      reasons: countReasons(byBucket.get(i) ?? []),
    })),
    reasons: countReasons(outcomes),
  };
}

/** Report: failed client deployments within [from, to), newest first. */
export async function failureRows(
  db: Queryable,
  range: { from: string; to: string },
): Promise<ClientFailureRow[]> {
  const outcomes = await outcomesBetween(db, range);
  return outcomes
    .filter((o) => o.failed)
    .map((o) => o.row)
    .sort((a, b) => b.at.localeCompare(a.at));
}
