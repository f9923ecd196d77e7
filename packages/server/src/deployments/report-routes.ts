import { ops } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { App } from '../http/types.js';
import { deploymentFailuresReport, deploymentSummaryReport } from './reports.js';
import { deploymentTimeline } from './timeline.js';

/** Deployment reports and a deployment's state history: the table declares the routes. */
export function registerDeploymentReportRoutes(app: App, ctx: SiteContext): void {
  implement(app, ops.deploymentReports, {
    summary: (req) => deploymentSummaryReport(ctx, actorOf(req)),
    failures: (req) => deploymentFailuresReport(ctx, actorOf(req), req.query),
    timeline: (req) => deploymentTimeline(ctx, actorOf(req), req.params.id),
  });
}
