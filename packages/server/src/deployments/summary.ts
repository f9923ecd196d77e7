import type { Selectable } from 'kysely';
import {
  DEPLOYMENT_STATES,
  type DeploymentSummary,
  type DeploymentTrigger,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import type { DeploymentTable } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import * as repo from './repository/summary.js';
import { memberCounts } from '../collections/repository.js';
import { triggersOf } from './deployment-repository.js';
import { expiredEverywhere } from './schedule-validation.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** A run may start late (window, boot, download): flagged overdue only an hour after it was due. */
const OVERDUE_GRACE_MS = HOUR_MS;

export type SummaryFields = Pick<
  Selectable<DeploymentTable>,
  'id' | 'collection_id' | 'purpose' | 'enabled' | 'triggers' | 'expires_at' | 'time_base'
>;

/** The shortest recurrence interval among the triggers (months count 31 days); none: undefined. */
export function recurrenceIntervalMs(triggers: readonly DeploymentTrigger[]): number | undefined {
  let shortest: number | undefined;
  for (const t of triggers) {
    if (t.type !== 'at' || t.recurrence === undefined) continue;
    const r = t.recurrence;
    let ms: number | undefined;
    switch (r.kind) {
      case 'none':
        break;
      case 'daily':
        ms = r.everyDays * DAY_MS;
        break;
      case 'weekly':
        ms = r.everyWeeks * 7 * DAY_MS;
        break;
      case 'monthly':
        ms = r.everyMonths * 31 * DAY_MS;
        break;
    }
    if (ms !== undefined && (shortest === undefined || ms < shortest)) shortest = ms;
  }
  return shortest;
}

/**
 * Devices whose last run is older than this ISO time missed a recurring run. Only an enabled,
 * unexpired required deployment with a recurrence has one.
 */
export function overdueCutoff(d: SummaryFields, now: Date): string | undefined {
  if (d.purpose !== 'required' || d.enabled !== 1) return undefined;
  const interval = recurrenceIntervalMs(triggersOf(d));
  if (interval === undefined) return undefined;
  if (expiredEverywhere(d.expires_at, d.time_base, now)) return undefined;
  return new Date(now.getTime() - interval - OVERDUE_GRACE_MS).toISOString();
}

function emptyCounts(): Record<string, number> {
  return Object.fromEntries(DEPLOYMENT_STATES.map((s) => [s, 0]));
}

function toSummary(
  deploymentId: string,
  counts: Record<string, number>,
  overdue: number,
): DeploymentSummary {
  const targeted = Object.values(counts).reduce((a, b) => a + b, 0);
  const pct = (n: number) => (targeted === 0 ? 0 : (n * 100) / targeted);
  return {
    deploymentId,
    targeted,
    counts,
    overdue,
    successPercent: pct((counts.succeeded ?? 0) + (counts['reboot-pending'] ?? 0)),
    failurePercent: pct(counts.failed ?? 0),
  };
}

/** Deployments summarised per pair of queries (bounds the statement's parameters). */
const SUMMARY_CHUNK = 200;

/**
 * Counts of these deployments in one grouped pass over their reported states (joined to the
 * current members, so a device that left the collection no longer counts); members without a
 * state are 'targeted'. The member count is the collection's own, kept with its membership.
 */
async function summariesOf(
  db: Queryable,
  deployments: readonly SummaryFields[],
  now: Date,
): Promise<DeploymentSummary[]> {
  const rows = await repo.stateCounts(db, {
    deployments: deployments.map((d) => ({ id: d.id, cutoff: overdueCutoff(d, now) })),
  });
  const members = await memberCounts(db, {
    collectionIds: [...new Set(deployments.map((d) => d.collection_id))],
  });
  const byDeployment = new Map<string, typeof rows>();
  for (const r of rows)
    byDeployment.set(r.deployment_id, [...(byDeployment.get(r.deployment_id) ?? []), r]);
  return deployments.map((d) => {
    const counts = emptyCounts();
    let reported = 0;
    let lateRuns = 0;
    for (const r of byDeployment.get(d.id) ?? []) {
      counts[r.state] = toNumber(r.n);
      reported += toNumber(r.n);
      lateRuns += toNumber(r.overdue);
    }
    counts.targeted = Math.max(0, (members.get(d.collection_id) ?? 0) - reported);
    return toSummary(d.id, counts, lateRuns);
  });
}

/** Summaries of several deployments (the list and report views), two queries per chunk. */
export async function deploymentSummaries(
  db: Queryable,
  deployments: readonly SummaryFields[],
  now: Date = new Date(),
): Promise<Map<string, DeploymentSummary>> {
  const out = new Map<string, DeploymentSummary>();
  for (let i = 0; i < deployments.length; i += SUMMARY_CHUNK)
    for (const s of await summariesOf(db, deployments.slice(i, i + SUMMARY_CHUNK), now))
      out.set(s.deploymentId, s);
  return out;
}

/** Monitoring summary of one deployment (also used by phased deployments to advance or halt). */
export async function deploymentSummary(
  db: Queryable,
  deploymentId: string,
  now: Date = new Date(),
): Promise<DeploymentSummary> {
  const d = await repo.findSummaryFields(db, deploymentId);
  if (!d) throw new NotFoundError('deployment', deploymentId, ErrorCode.DEPLOYMENT_NOT_FOUND);
  const summary = (await deploymentSummaries(db, [d], now)).get(d.id);
  return summary ?? toSummary(d.id, emptyCounts(), 0);
}
