import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, percent, truncate } from '../output/format.js';
import { addActivityCheck } from './client-activity.js';
import { resolveCollectionId } from './collection-rules.js';

/** monitoring, audit and site: read-only views of the site. */
export function registerAdminCommands(program: Command, ctx: Ctx): void {
  addMonitoring(program, ctx);
  addAudit(program, ctx);
  addSite(program, ctx);
}

function addMonitoring(program: Command, ctx: Ctx): void {
  const monitoring = program.command('monitoring').description('monitoring views');
  addActivityCheck(monitoring, ctx);
  const activity = withJson(
    monitoring
      .command('client-activity')
      .description('active, inactive and online devices (Monitoring > Client Activity)')
      .option('--collection <name-or-id>', 'for this collection (default: all devices)')
      .option('--days <n>', 'length of the history series in days (kept 31 days)'),
  );
  action(activity, async ({ opts }) => {
    const client = await ctx.client();
    const name = opts.string('collection');
    const days = opts.int('days', { min: 1, max: 31 });
    const collection =
      name === undefined ? undefined : await resolveCollectionId(client, '--collection', name);
    const a = await client.clientActivity({
      ...(collection !== undefined ? { collection } : {}),
      ...(days !== undefined ? { days } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(a);
      return;
    }
    const { out } = ctx;
    const share = (n: number): string => `${n} (${percent(n, a.total)})`;
    const th = a.thresholds;
    out.fields([
      ['Devices', `${a.total} (obsolete apart: ${a.obsolete})`],
      ['Active', out.style.green(share(a.active))],
      ['Inactive', a.inactive > 0 ? out.style.yellow(share(a.inactive)) : share(a.inactive)],
      ['Never reported', share(a.neverReported)],
      ['Online now', share(a.online)],
    ]);
    out.line();
    out.heading('Devices whose signal arrived within its threshold');
    const recent = (n: number, days: number): string =>
      `${n} (${percent(n, a.total)}, within ${days} days)`;
    out.fields(
      [
        ['policy request', recent(a.recent.policyRequest, th.policyRequest)],
        ['heartbeat', recent(a.recent.heartbeat, th.heartbeat)],
        ['hardware inventory', recent(a.recent.hardwareInventory, th.hardwareInventory)],
        ['software inventory', recent(a.recent.softwareInventory, th.softwareInventory)],
        ['status message', recent(a.recent.statusMessage, th.statusMessage)],
      ],
      '  ',
    );
    if (a.daily.length > 0) {
      out.line();
      out.table(
        [
          { header: 'DAY (UTC)' },
          { header: 'ACTIVE', align: 'right' },
          { header: 'INACTIVE', align: 'right' },
        ],
        a.daily.map((p) => [p.day, String(p.active), String(p.inactive)]),
      );
    }
  });
}

function addAudit(program: Command, ctx: Ctx): void {
  const audit = program.command('audit').description('the audit log: who changed what');
  const list = withJson(
    audit
      .command('list')
      .description('audit entries, newest first')
      .option('--limit <n>', 'at most n entries (1-1000)')
      .option('--before <id>', 'entries older than this one (paging)')
      .option('--target-type <type>', 'only changes to this kind of object (e.g. collection)')
      .option('--target-id <id>', 'only changes to this object')
      .option('--user <name>', 'only what this administrator did')
      .option('--action <action>', 'only this action, or every action of a kind ("collection.")')
      .option('--since <time>', 'entries at or after: ISO 8601, or an age such as 30m, 12h, 7d')
      .option('--until <time>', 'entries before: ISO 8601, or an age such as 1d')
      .option('--text <text>', 'case-insensitive text in the action, user, target id or details'),
  );
  action(list, async ({ opts }) => {
    const now = new Date();
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const before = opts.string('before');
    const targetType = opts.string('targetType');
    const targetId = opts.string('targetId');
    const user = opts.string('user');
    const auditAction = opts.string('action');
    const from = opts.time('since', now);
    const to = opts.time('until', now);
    const text = opts.string('text');
    // Only the options given: the query's schema takes no undefined values.
    const entries = await (
      await ctx.client()
    ).listAudit({
      ...(limit !== undefined ? { limit } : {}),
      ...(before !== undefined ? { before } : {}),
      ...(targetType !== undefined ? { targetType } : {}),
      ...(targetId !== undefined ? { targetId } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(auditAction !== undefined ? { action: auditAction } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(text !== undefined ? { text } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(entries);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'ID' },
        { header: 'WHEN' },
        { header: 'USER' },
        { header: 'ACTION' },
        { header: 'TARGET' },
        { header: 'DETAILS', flex: true },
      ],
      entries.map((e) => [
        e.id,
        humanTime(e.at, out.now),
        e.userName,
        e.action,
        e.targetName === null
          ? `${e.targetType} ${e.targetId}`
          : `${e.targetType} ${e.targetName} (${e.targetId})`,
        e.details === null || e.details === undefined
          ? ''
          : truncate(JSON.stringify(e.details), 120),
      ]),
      'No audit entries.',
    );
  });
}

function addSite(program: Command, ctx: Ctx): void {
  action(
    withJson(
      program
        .command('site')
        .description('the site: code, version, agent endpoint, CA fingerprint'),
    ),
    async ({ opts }) => {
      const connection = await ctx.connection();
      const site = await (await ctx.client()).site();
      if (opts.flag('json')) {
        ctx.out.json(site);
        return;
      }
      ctx.out.fields([
        ['Site', `${site.siteCode} (${site.siteName})`],
        ['Version', site.version],
        ['Admin URL', connection.server],
        ['Agent URL', site.agentUrl],
        ['CA fingerprint', site.caFingerprint],
        ['Database', site.database],
      ]);
    },
  );
}
