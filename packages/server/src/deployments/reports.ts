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
import * as repo from './repository/reports.js';

const DEFAULT_FAILURE_LIMIT = 100;

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
  const deployments = await repo.listReportDeployments(db);
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
    ids = await repo.deploymentIdsFor(db, { idOrName: q.deployment });
    if (ids.length === 0)
      throw new NotFoundError('deployment', q.deployment, ErrorCode.DEPLOYMENT_NOT_FOUND);
  }
  const rows = await repo.failedStates(db, {
    deploymentIds: ids,
    limit: q.limit ?? DEFAULT_FAILURE_LIMIT,
  });
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
