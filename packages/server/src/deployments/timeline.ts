import {
  canonicalJson,
  DeploymentTimelinePoint,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import { authorize, type Actor, type SiteContext } from '../context.js';
import type { Queryable } from '../db/database.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { deploymentSummary, deploymentSummaries } from './summary.js';
import { listSummaryFields } from './repository/summary.js';
import * as repo from './repository/timeline.js';

/**
 * The live chart's history: the summarizer job writes a `deployment_state_snapshot` (state counts)
 * whenever a deployment's counts differ from its last snapshot, so a quiet deployment costs no
 * rows. A deployment keeps at most MAX_TIMELINE_POINTS: past that, every second point of the
 * older part is dropped, so old history gets coarser while the recent part keeps every change.
 */
export const MAX_TIMELINE_POINTS = 2000;
/** Points never thinned (the newest ones). */
const RECENT_POINTS = MAX_TIMELINE_POINTS / 2;
const DELETE_CHUNK = 500;
const SUMMARY_CHUNK = 200;

type Counts = DeploymentTimelinePoint['counts'];
const CountsSchema = DeploymentTimelinePoint.properties.counts;

function countsOf(deploymentId: string, row: repo.SnapshotRow): Counts {
  return parseJsonColumn(CountsSchema, row.counts, {
    table: 'deployment_state_snapshot',
    id: `${deploymentId}/${row.at}`,
    column: 'counts',
  });
}

/** Summarizer job: one snapshot per deployment whose counts changed. Returns how many were written. */
export async function snapshotDeploymentStates(ctx: SiteContext): Promise<number> {
  const db = ctx.db.kysely;
  const deployments = await listSummaryFields(db);
  let written = 0;
  for (let i = 0; i < deployments.length; i += SUMMARY_CHUNK) {
    const now = ctx.clock.now();
    const summaries = await deploymentSummaries(db, deployments.slice(i, i + SUMMARY_CHUNK), now);
    for (const [id, { counts }] of summaries) {
      const row = await repo.lastSnapshot(db, { deploymentId: id });
      const last = row ? countsOf(id, row) : undefined;
      if (last !== undefined && canonicalJson(last) === canonicalJson(counts)) continue;
      await repo.writeSnapshot(db, {
        deploymentId: id,
        at: now.toISOString(),
        counts: JSON.stringify(counts),
      });
      written += 1;
      await thinSnapshots(db, id);
    }
  }
  return written;
}

/** Drops every second point of the older part once a deployment has more than the maximum. */
export async function thinSnapshots(
  db: Queryable,
  deploymentId: string,
  max: number = MAX_TIMELINE_POINTS,
): Promise<void> {
  const total = await repo.snapshotCount(db, { deploymentId });
  if (total <= max) return;
  const keepRecent = Math.min(RECENT_POINTS, Math.floor(max / 2));
  const older = await repo.oldestSnapshotTimes(db, { deploymentId, limit: total - keepRecent });
  // Odd positions go: the oldest point (where the chart starts) always stays.
  const doomed = older.filter((_, i) => i % 2 === 1);
  for (let i = 0; i < doomed.length; i += DELETE_CHUNK)
    await repo.deleteSnapshots(db, { deploymentId, at: doomed.slice(i, i + DELETE_CHUNK) });
}

/** The deployment's snapshots, oldest first, ending with its counts now. */
export async function deploymentTimeline(
  ctx: SiteContext,
  actor: Actor,
  deploymentId: string,
): Promise<DeploymentTimelinePoint[]> {
  authorize(actor, 'read');
  const db = ctx.db.kysely;
  if (!(await repo.deploymentExists(db, { id: deploymentId })))
    throw new NotFoundError('deployment', deploymentId, ErrorCode.DEPLOYMENT_NOT_FOUND);
  const rows = await repo.snapshots(db, { deploymentId });
  const points: DeploymentTimelinePoint[] = rows.map((r) => ({
    at: r.at,
    counts: countsOf(deploymentId, r),
  }));
  const at = ctx.clock.now();
  const now: DeploymentTimelinePoint = {
    at: at.toISOString(),
    counts: (await deploymentSummary(db, deploymentId, at)).counts,
  };
  if (points.at(-1)?.at === now.at) points.pop();
  points.push(now);
  return points;
}
