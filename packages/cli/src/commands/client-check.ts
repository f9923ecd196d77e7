import { CLIENT_CHECK_NAMES, ops } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { parseChoice } from '../options.js';

/** Client check results (the ccmeval analog): one device's latest run, or a collection's summary. */
export function registerClientCheckCommands(program: Command, ctx: Ctx): void {
  const cc = program
    .command('client-check')
    .description(
      'client health checks agents run daily and on demand (device action run-client-check)',
    );
  const show = withJson(
    cc.command('show').description("a device's latest client check").argument('<device>'),
  );
  action(show, async ({ opts, arg }) => {
    const r = await (await ctx.client()).call(ops.clientCheck.device, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    if (r.latest === null) {
      ctx.out.line('No client check reported yet.');
      return;
    }
    ctx.out.line(`Client check at ${r.latest.at} (${r.latest.trigger}, mode ${r.latest.mode})`);
    ctx.out.table(
      [{ header: 'CHECK' }, { header: 'OUTCOME' }, { header: 'DETAIL', flex: true }],
      r.latest.results.map((x) => [
        x.check,
        x.outcome === 'failed'
          ? ctx.out.style.red(x.outcome)
          : x.outcome === 'remediated'
            ? ctx.out.style.yellow(x.outcome)
            : x.outcome,
        x.detail,
      ]),
      'No checks.',
    );
  });
  const summary = withJson(
    cc
      .command('summary')
      .description('per check: members passed, failed, remediated at their latest check')
      .argument('<collection>'),
  );
  action(summary, async ({ opts, arg }) => {
    const s = await (
      await ctx.client()
    ).call(ops.clientCheck.collectionSummary, {
      params: { id: arg(0) },
    });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    ctx.out.line(
      `${s.collectionName}: ${s.reported} of ${s.members} members reported a client check`,
    );
    ctx.out.table(
      [
        { header: 'CHECK' },
        { header: 'PASSED', align: 'right' },
        { header: 'FAILED', align: 'right' },
        { header: 'REMEDIATED', align: 'right' },
      ],
      s.checks.map((c) => [c.check, String(c.passed), String(c.failed), String(c.remediated)]),
      'No checks.',
    );
  });
  const failing = withJson(
    cc
      .command('failing')
      .description('report: clients whose latest client check failed this check')
      .argument('<check>', CLIENT_CHECK_NAMES.join(', '))
      .option('--collection <name-or-id>', 'members of this collection only'),
  );
  action(failing, async ({ opts, arg }) => {
    const check = parseChoice(arg(0), '<check>', CLIENT_CHECK_NAMES);
    const collection = opts.string('collection');
    const rows = await (
      await ctx.client()
    ).call(ops.clientCheck.failures, {
      query: { check, ...(collection === undefined ? {} : { collection }) },
    });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    ctx.out.table(
      [{ header: 'DEVICE' }, { header: 'AT' }, { header: 'DETAIL', flex: true }],
      rows.map((r) => [r.deviceName, r.at, r.detail]),
      `No client fails the ${check} check.`,
    );
  });
}
