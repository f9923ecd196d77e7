import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, percent, truncate, utcTime } from '../output/format.js';
import { resolveCollectionId } from './collection-rules.js';

/** monitoring, audit and site: read-only views of the site. */
export function registerAdminCommands(program: Command, ctx: Ctx): void {
  addMonitoring(program, ctx);
  addAudit(program, ctx);
  addSite(program, ctx);
}

function addMonitoring(program: Command, ctx: Ctx): void {
  const monitoring = program.command('monitoring').description('monitoring views');
  const activity = withJson(
    monitoring
      .command('client-activity')
      .description('active, inactive and online devices (Monitoring > Client Activity)')
      .option('--collection <name-or-id>', 'for this collection (default: all devices)')
      .option('--days <n>', 'length of the history series in days'),
  );
  action(activity, async ({ opts }) => {
    const client = await ctx.client();
    const name = opts.string('collection');
    const days = opts.int('days', { min: 1, max: 365 });
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
    out.fields([
      ['Devices', String(a.total)],
      ['Active', `${out.style.green(share(a.active))} (contact within ${a.thresholdDays} days)`],
      ['Inactive', a.inactive > 0 ? out.style.yellow(share(a.inactive)) : share(a.inactive)],
      ['Never reported', share(a.neverReported)],
      ['Online now', share(a.online)],
    ]);
    out.line();
    out.heading(`Active devices that, within ${a.thresholdDays} days, sent`);
    const recent = (n: number): string => `${n} (${percent(n, a.active)})`;
    out.fields(
      [
        ['a policy request', recent(a.recent.policyRequest)],
        ['a heartbeat', recent(a.recent.heartbeat)],
        ['inventory', recent(a.recent.inventory)],
        ['a status message', recent(a.recent.statusMessage)],
      ],
      '  ',
    );
    if (a.series.length > 0) {
      out.line();
      out.table(
        [
          { header: 'TIME' },
          { header: 'ACTIVE', align: 'right' },
          { header: 'INACTIVE', align: 'right' },
        ],
        a.series.map((p) => [utcTime(p.at), String(p.active), String(p.inactive)]),
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
    const query = {
      limit: opts.int('limit', { min: 1, max: 1000 }),
      before: opts.string('before'),
      targetType: opts.string('targetType'),
      targetId: opts.string('targetId'),
      user: opts.string('user'),
      action: opts.string('action'),
      from: opts.time('since', now),
      to: opts.time('until', now),
      text: opts.string('text'),
    };
    const entries = await (
      await ctx.client()
    ).listAudit(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
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
        ['Active threshold', `${site.activeThresholdDays} days`],
      ]);
    },
  );
}
