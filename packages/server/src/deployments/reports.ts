import { sql } from 'kysely';
import {
  type DeploymentFailureRow,
  type DeploymentFailuresQuery,
  type DeploymentSummaryReportRow,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import { authorize, type Actor, type SiteContext } from '../context.js';
import { toNumber } from '../db/database.js';
import { deploymentSummaries } from './summary.js';

const DEFAULT_FAILURE_LIMIT = 100;
/** What `deploymentSummaries` needs of each deployment. */
export const SUMMARY_COLUMNS = [
  'id',
  'collection_id',
  'purpose',
  'enabled',
  'triggers',
  'expires_at',
  'time_base',
] as const;

/**
 * Deployment reports (seed 004 "deployment status summary" and "computers that failed a
 * deployment with their errors"). Distribution reports live with distribution points.
 */
export async function deploymentSummaryReport(
  ctx: SiteContext,
  actor: Actor,
): Promise<DeploymentSummaryReportRow[]> {
  authorize(actor, 'read');
  const db = ctx.db.kysely;
  const deployments = await db
    .selectFrom('deployment')
    .select(SUMMARY_COLUMNS)
    .select('name')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  const summaries = await deploymentSummaries(db, deployments, ctx.clock.now());
  return deployments.flatMap((d) => {
    const summary = summaries.get(d.id);
    return summary ? [{ ...summary, deploymentName: d.name }] : [];
  });
}

/**
 * Devices whose newest state of a deployment is `failed`, newest run first, with what the agent
 * reported (exit code, reason, output tail). Only devices the deployment still targets (members of
 * its collection), so the rows agree with the summary's failed count.
 */
export async function deploymentFailuresReport(
  ctx: SiteContext,
  actor: Actor,
  q: DeploymentFailuresQuery,
): Promise<DeploymentFailureRow[]> {
  authorize(actor, 'read');
  const db = ctx.db.kysely;
  let ids: string[] | undefined;
  if (q.deployment !== undefined) {
    ids = await deploymentIdsFor(ctx, q.deployment);
    if (ids.length === 0)
      throw new NotFoundError('deployment', q.deployment, ErrorCode.DEPLOYMENT_NOT_FOUND);
  }
  let query = db
    .selectFrom('deployment_device_state as s')
    .innerJoin('deployment as d', 'd.id', 's.deployment_id')
    .innerJoin('device as dv', 'dv.id', 's.device_id')
    .innerJoin('collection_member as m', (j) =>
      j.onRef('m.collection_id', '=', 'd.collection_id').onRef('m.device_id', '=', 's.device_id'),
    )
    .select([
      's.deployment_id',
      'd.name as deployment_name',
      's.device_id',
      'dv.name as hostname',
      's.exit_code',
      's.reason_code',
      's.reason',
      's.output_tail',
      's.last_run_at',
    ])
    .where('s.state', '=', 'failed');
  if (ids !== undefined) query = query.where('s.deployment_id', 'in', ids);
  const rows = await query
    // Newest first on both dialects (they order NULLs differently): a failure without a recorded
    // run (e.g. HASH_MISMATCH before running) sorts by when it was reported.
    .orderBy(sql`coalesce(s.last_run_at, s.state_at)`, 'desc')
    .orderBy('s.deployment_id')
    .orderBy('dv.name')
    .limit(q.limit ?? DEFAULT_FAILURE_LIMIT)
    .execute();
  return rows.map((r) => ({
    deploymentId: r.deployment_id,
    deploymentName: r.deployment_name,
    deviceId: r.device_id,
    hostname: r.hostname,
    exitCode: r.exit_code === null ? null : toNumber(r.exit_code),
    reasonCode: r.reason_code,
    reason: r.reason,
    outputTail: r.output_tail,
    lastRunAt: r.last_run_at,
  }));
}

/** A deployment by id, or every deployment of that name (names are not unique). */
async function deploymentIdsFor(ctx: SiteContext, idOrName: string): Promise<string[]> {
  const db = ctx.db.kysely;
  const byId = await db.selectFrom('deployment').select('id').where('id', '=', idOrName).execute();
  const rows =
    byId.length > 0
      ? byId
      : await db.selectFrom('deployment').select('id').where('name', '=', idOrName).execute();
  return rows.map((r) => r.id);
}
