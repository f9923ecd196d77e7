import type { Kysely } from 'kysely';
import {
  canonicalJson,
  DeploymentTimelinePoint,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import { authorize, type Actor, type SiteContext } from '../context.js';
import type { Database } from '../db/tables/index.js';
import { toNumber } from '../db/database.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { SUMMARY_COLUMNS } from './reports.js';
import { deploymentSummary, deploymentSummaries } from './summary.js';

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

type Tx = Kysely<Database>;
type Counts = DeploymentTimelinePoint['counts'];
const CountsSchema = DeploymentTimelinePoint.properties.counts;

function countsOf(deploymentId: string, row: { at: string; counts: unknown }): Counts {
  return parseJsonColumn(CountsSchema, row.counts, {
    table: 'deployment_state_snapshot',
    id: `${deploymentId}/${row.at}`,
    column: 'counts',
  });
}

async function lastSnapshot(db: Tx, deploymentId: string): Promise<Counts | undefined> {
  const row = await db
    .selectFrom('deployment_state_snapshot')
    .select(['at', 'counts'])
    .where('deployment_id', '=', deploymentId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? countsOf(deploymentId, row) : undefined;
}

/** Summarizer job: one snapshot per deployment whose counts changed. Returns how many were written. */
export async function snapshotDeploymentStates(ctx: SiteContext): Promise<number> {
  const db = ctx.db.kysely;
  const deployments = await db
    .selectFrom('deployment')
    .select(SUMMARY_COLUMNS)
    .orderBy('id')
    .execute();
  let written = 0;
  for (let i = 0; i < deployments.length; i += SUMMARY_CHUNK) {
    const now = ctx.clock.now();
    const summaries = await deploymentSummaries(db, deployments.slice(i, i + SUMMARY_CHUNK), now);
    for (const [id, { counts }] of summaries) {
      const last = await lastSnapshot(db, id);
      if (last !== undefined && canonicalJson(last) === canonicalJson(counts)) continue;
      await writeSnapshot(db, id, now.toISOString(), counts);
      written += 1;
      await thinSnapshots(db, id);
    }
  }
  return written;
}

async function writeSnapshot(db: Tx, deploymentId: string, at: string, counts: Counts) {
  const json = JSON.stringify(counts);
  await db
    .insertInto('deployment_state_snapshot')
    .values({ deployment_id: deploymentId, at, counts: json })
    // Two passes in the same millisecond (a stopped test clock) keep the newer counts.
    .onConflict((oc) => oc.columns(['deployment_id', 'at']).doUpdateSet({ counts: json }))
    .execute();
}

/** Drops every second point of the older part once a deployment has more than the maximum. */
export async function thinSnapshots(
  db: Tx,
  deploymentId: string,
  max: number = MAX_TIMELINE_POINTS,
): Promise<void> {
  const row = await db
    .selectFrom('deployment_state_snapshot')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('deployment_id', '=', deploymentId)
    .executeTakeFirst();
  const total = toNumber(row?.n);
  if (total <= max) return;
  const keepRecent = Math.min(RECENT_POINTS, Math.floor(max / 2));
  const older = await db
    .selectFrom('deployment_state_snapshot')
    .select('at')
    .where('deployment_id', '=', deploymentId)
    .orderBy('at', 'asc')
    .limit(total - keepRecent)
    .execute();
  // Odd positions go: the oldest point (where the chart starts) always stays.
  const doomed = older.filter((_, i) => i % 2 === 1).map((r) => r.at);
  for (let i = 0; i < doomed.length; i += DELETE_CHUNK) {
    await db
      .deleteFrom('deployment_state_snapshot')
      .where('deployment_id', '=', deploymentId)
      .where('at', 'in', doomed.slice(i, i + DELETE_CHUNK))
      .execute();
  }
}

/** The deployment's snapshots, oldest first, ending with its counts now. */
export async function deploymentTimeline(
  ctx: SiteContext,
  actor: Actor,
  deploymentId: string,
): Promise<DeploymentTimelinePoint[]> {
  authorize(actor, 'read');
  const db = ctx.db.kysely;
  const exists = await db
    .selectFrom('deployment')
    .select('id')
    .where('id', '=', deploymentId)
    .executeTakeFirst();
  if (!exists) throw new NotFoundError('deployment', deploymentId, ErrorCode.DEPLOYMENT_NOT_FOUND);
  const rows = await db
    .selectFrom('deployment_state_snapshot')
    .select(['at', 'counts'])
    .where('deployment_id', '=', deploymentId)
    .orderBy('at', 'asc')
    .execute();
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
