import { ErrorCode, type DpContentStatus } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, orDash } from '../output/format.js';
import type { Column } from '../output/table.js';
import { addClientActivityReports } from './client-activity.js';
import { summaryGroups } from './deployment-views.js';
import { addSqlReportCommands } from './report-sql.js';
import {
  bar,
  findDeployment,
  formatBytes,
  namingFlags,
  paintState,
  percentText,
} from './software-common.js';

/** The seed's reports: deployment status summary, failures, distribution status, DP completion. */
export function registerReportCommands(program: Command, ctx: Ctx): void {
  const report = program
    .command('report')
    .description('software distribution, deployment and client activity reports');
  addDeploymentSummary(report, ctx);
  addDeploymentFailures(report, ctx);
  addDistributionStatus(report, ctx);
  addDpCompletion(report, ctx);
  addClientActivityReports(report, ctx);
  addSqlReportCommands(report, ctx);
}

/** Content status rows (per package and DP): `dp content` and `report distribution-status`. */
export function printDpContent(
  ctx: Ctx,
  rows: readonly DpContentStatus[],
  opts: { showDp: boolean },
): void {
  const { out } = ctx;
  const columns: Column[] = [
    { header: 'PACKAGE' },
    ...(opts.showDp ? [{ header: 'DISTRIBUTION POINT' }] : []),
    { header: 'VERSION', align: 'right' },
    { header: 'STATE' },
    { header: 'PROGRESS', align: 'right' },
    { header: 'UPDATED' },
    { header: 'MESSAGE', flex: true },
  ];
  out.table(
    columns,
    rows.map((r) => [
      r.packageName,
      ...(opts.showDp ? [r.dpName] : []),
      `v${r.versionNumber}`,
      paintState(r.state, out.style),
      r.bytesTotal > 0
        ? `${percentText((r.bytesDone / r.bytesTotal) * 100)} of ${formatBytes(r.bytesTotal)}`
        : '-',
      humanTime(r.updatedAt, out.now),
      orDash(r.message),
    ]),
    'No content assigned.',
  );
}

function addDeploymentSummary(report: Command, ctx: Ctx): void {
  action(
    withJson(report.command('deployment-summary').description('state counts of every deployment')),
    async ({ opts }) => {
      const rows = await (await ctx.client()).reportDeploymentSummary();
      if (opts.flag('json')) {
        ctx.out.json(rows);
        return;
      }
      const { out } = ctx;
      out.table(
        [
          { header: 'DEPLOYMENT', flex: true },
          { header: 'TARGETED', align: 'right' },
          { header: 'SUCCEEDED', align: 'right' },
          { header: 'FAILED', align: 'right' },
          { header: 'IN PROGRESS', align: 'right' },
          { header: 'OVERDUE', align: 'right' },
          { header: 'SUCCESS', align: 'right' },
        ],
        rows.map((r) => {
          const g = summaryGroups(r);
          return [
            r.deploymentName,
            String(r.targeted),
            String(g.succeeded),
            g.failed > 0 ? out.style.red(String(g.failed)) : '0',
            String(g.inProgress),
            String(r.overdue),
            percentText(r.successPercent),
          ];
        }),
        'No deployments.',
      );
    },
  );
}

function addDeploymentFailures(report: Command, ctx: Ctx): void {
  const cmd = withJson(
    report
      .command('deployment-failures')
      .description('computers that failed a deployment, with their errors')
      .option('--deployment <id-or-name>', 'of this deployment only')
      .option('--limit <n>', 'at most n rows (1-10000)'),
  );
  action(cmd, async ({ opts }) => {
    const limit = opts.int('limit', { min: 1, max: 10000 });
    const client = await ctx.client();
    const name = opts.string('deployment');
    const deployment =
      name === undefined ? undefined : (await findDeployment(client, '--deployment', name)).id;
    const rows = await client.reportDeploymentFailures({
      ...(deployment !== undefined ? { deployment } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'DEPLOYMENT' },
        { header: 'DEVICE' },
        { header: 'EXIT', align: 'right' },
        { header: 'REASON' },
        { header: 'LAST RUN' },
        { header: 'OUTPUT', flex: true },
      ],
      rows.map((r) => [
        r.deploymentName,
        r.hostname,
        r.exitCode === null ? '-' : String(r.exitCode),
        [r.reasonCode, r.reason].filter((x) => x !== null && x !== '').join(': ') || '-',
        humanTime(r.lastRunAt, out.now),
        lastLine(r.outputTail),
      ]),
      'No failures.',
    );
  });
}

/** The last non-empty line of an output tail: where errors usually are. */
export function lastLine(text: string | null): string {
  if (text === null) return '-';
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? '-';
}

function addDistributionStatus(report: Command, ctx: Ctx): void {
  const cmd = withJson(
    report
      .command('distribution-status')
      .description('content status of packages on distribution points')
      .option('--package <name-or-id>', 'of this package only')
      .option('--dp <name-or-id>', 'on this distribution point only'),
  );
  action(cmd, async ({ opts }) => {
    // The site resolves an id or a unique name for both filters.
    const pkg = opts.string('package');
    const dp = opts.string('dp');
    const client = await ctx.client();
    const rows = await namingFlags(
      client.reportDistributionStatus({
        ...(pkg !== undefined ? { package: pkg } : {}),
        ...(dp !== undefined ? { dp } : {}),
      }),
      {
        [ErrorCode.PACKAGE_NOT_FOUND]: `--package ${pkg ?? ''}`,
        [ErrorCode.DP_NOT_FOUND]: `--dp ${dp ?? ''}`,
      },
    );
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    printDpContent(ctx, rows, { showDp: true });
  });
}

function addDpCompletion(report: Command, ctx: Ctx): void {
  action(
    withJson(
      report
        .command('dp-completion')
        .description('percent of targeted distribution points holding each package'),
    ),
    async ({ opts }) => {
      const rows = await (await ctx.client()).reportDpCompletion();
      if (opts.flag('json')) {
        ctx.out.json(rows);
        return;
      }
      ctx.out.table(
        [
          { header: 'PACKAGE', flex: true },
          { header: 'TARGETED', align: 'right' },
          { header: 'INSTALLED', align: 'right' },
          { header: 'COMPLETE' },
        ],
        rows.map((r) => [
          r.packageName,
          String(r.targeted),
          String(r.installed),
          `${bar(r.percentComplete, 100, 20)} ${percentText(r.percentComplete)}`,
        ]),
        'No package is distributed.',
      );
    },
  );
}
