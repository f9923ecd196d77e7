import { describeSeconds, ops } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, orDash } from '../output/format.js';

/** `steward monitoring activity-check`: the site's activity check, now (ADR 0029). */
export function addActivityCheck(monitoring: Command, ctx: Ctx): void {
  const check = withJson(
    monitoring
      .command('activity-check')
      .description(
        'ping and probe quiet clients now, and mark obsolete ones (the site does it hourly)',
      ),
  );
  action(check, async ({ opts }) => {
    const r = await (await ctx.client()).call(ops.clientActivity.runCheck, {});
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    ctx.out.fields([
      ['Quiet clients checked', String(r.checked)],
      ['Answered the ping', String(r.pingAnswered)],
      ['Answered only the probe', String(r.probeAnswered)],
      ['No answer', String(r.noAnswer)],
      ['Marked obsolete', String(r.markedObsolete)],
      ['No longer obsolete', String(r.noLongerObsolete)],
      ['Removed', String(r.removed)],
    ]);
  });
}

/** A report command scoped to a collection (`--collection`, default All Systems). */
function scopedReport(report: Command, name: string, description: string): Command {
  return withJson(
    report
      .command(name)
      .description(description)
      .option('--collection <name-or-id>', 'members of this collection only'),
  );
}

/** `steward report inactive-clients` and `steward report inventory-overdue`. */
export function addClientActivityReports(report: Command, ctx: Ctx): void {
  const inactive = scopedReport(
    report,
    'inactive-clients',
    'inactive clients, with when each of the five signals was last seen',
  );
  action(inactive, async ({ opts }) => {
    const collection = opts.string('collection');
    const query = collection === undefined ? {} : { collection };
    const rows = await (await ctx.client()).call(ops.clientActivity.inactive, { query });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    const { out } = ctx;
    const t = (iso: string | null) => humanTime(iso, out.now);
    out.table(
      [
        { header: 'DEVICE' },
        { header: 'POLICY' },
        { header: 'HEARTBEAT' },
        { header: 'HW INVENTORY' },
        { header: 'SW INVENTORY' },
        { header: 'STATUS MSG' },
        { header: 'SITE CHECK', flex: true },
      ],
      rows.map((r) => [
        r.obsoleteAt ? `${r.deviceName} (obsolete)` : r.deviceName,
        t(r.lastPolicyRequestAt),
        t(r.lastHeartbeatAt),
        t(r.lastHardwareInventoryAt),
        t(r.lastSoftwareInventoryAt),
        t(r.lastStatusAt),
        r.activityCheckOutcome
          ? `${r.activityCheckOutcome} ${t(r.activityCheckedAt)}: ${orDash(r.activityCheckDetail)}`
          : '-',
      ]),
      'No inactive clients.',
    );
  });
  const overdue = scopedReport(
    report,
    'inventory-overdue',
    "clients whose hardware inventory did not run within their resultant client settings' interval",
  );
  action(overdue, async ({ opts }) => {
    const collection = opts.string('collection');
    const query = collection === undefined ? {} : { collection };
    const rows = await (await ctx.client()).call(ops.clientActivity.inventoryOverdue, { query });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'DEVICE' },
        { header: 'LAST INVENTORY' },
        { header: 'INTERVAL' },
        { header: 'FROM' },
        { header: 'OVERDUE BY', align: 'right' },
      ],
      rows.map((r) => [
        r.deviceName,
        humanTime(r.lastHardwareInventoryAt, out.now),
        describeSeconds(r.inventoryIntervalSeconds),
        r.intervalSource,
        describeSeconds(r.overdueSeconds),
      ]),
      'Every client ran its inventory within its schedule.',
    );
  });
}
