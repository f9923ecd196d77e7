import {
  CLIENT_DEPLOYMENT_STATES,
  ops,
  type ClientRollout,
  type ClientStatusDevice,
  type FailurePeriod,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { parseChoice, parseInteger } from '../options.js';

const ROLLOUTS: readonly ClientRollout[] = ['production', 'pre-production'];
const PERIODS: readonly FailurePeriod[] = ['day', 'week', 'month'];

function rolloutOf(text: string | undefined): ClientRollout {
  return text === undefined ? 'production' : parseChoice(text, '--rollout', ROLLOUTS);
}

/**
 * Monitoring > Client status in the terminal: a client deployment dashboard (counts per state,
 * or the devices of one state with their reasons), the failure chart and the two reports.
 */
export function registerClientStatusCommands(program: Command, ctx: Ctx): void {
  const cs = withJson(
    program
      .command('client-status')
      .description('client deployment status: devices per state of a rollout, in a collection')
      .option('--rollout <rollout>', ROLLOUTS.join(' or '), 'production')
      .option('--collection <name-or-id>', 'scope (default All Systems)')
      .option(
        '--state <state>',
        `list the devices of one state: ${CLIENT_DEPLOYMENT_STATES.join(', ')}`,
      ),
  );
  action(cs, async ({ opts }) => {
    const client = await ctx.client();
    const rollout = rolloutOf(opts.string('rollout'));
    const collection = opts.string('collection');
    const stateText = opts.string('state');
    const scope = { rollout, ...(collection === undefined ? {} : { collection }) };
    if (stateText === undefined) {
      const s = await client.call(ops.clientStatus.summary, { query: scope });
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      ctx.out.line(
        `${s.rollout} client deployment, ${s.collectionName}: version ${s.expectedVersion ?? '(none set)'}` +
          `${s.expectedSince ? ` since ${s.expectedSince}` : ''}, ${s.total} devices` +
          (s.pushRunning ? ' (a client push is running)' : ''),
      );
      ctx.out.table(
        [{ header: 'STATE' }, { header: 'DEVICES', align: 'right' }],
        CLIENT_DEPLOYMENT_STATES.map((st) => [st, String(s.counts[st])]),
        'No states.',
      );
      return;
    }
    const state = parseChoice(stateText, '--state', CLIENT_DEPLOYMENT_STATES);
    const items: ClientStatusDevice[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await client.call(ops.clientStatus.devices, {
        query: { ...scope, state, offset, limit: 1000 },
      });
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) break;
    }
    if (opts.flag('json')) {
      ctx.out.json(items);
      return;
    }
    ctx.out.table(
      [
        { header: 'DEVICE' },
        { header: 'VERSION' },
        { header: 'LAST CONTACT' },
        { header: 'REASON', flex: true },
      ],
      items.map((d) => [d.name, d.agentVersion ?? '-', d.lastContactAt ?? 'never', d.reason]),
      `No device is ${state}.`,
    );
  });

  const failures = withJson(
    cs
      .command('failures')
      .description('failed client deployments (pushes, agent upgrades) per period, with reasons')
      .option('--period <period>', PERIODS.join(', '), 'day')
      .option('--buckets <n>', 'how many periods back (default: 30 days, 13 weeks, 12 months)'),
  );
  action(failures, async ({ opts }) => {
    const period = parseChoice(opts.string('period') ?? 'day', '--period', PERIODS);
    const n = opts.string('buckets');
    const chart = await (
      await ctx.client()
    ).call(ops.clientStatus.failures, {
      query: {
        period,
        ...(n === undefined ? {} : { buckets: parseInteger(n, '--buckets', { min: 1, max: 366 }) }),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(chart);
      return;
    }
    ctx.out.table(
      [
        { header: 'FROM' },
        { header: 'PUSH FAILED', align: 'right' },
        { header: 'PUSH OK', align: 'right' },
        { header: 'UPGRADE FAILED', align: 'right' },
        { header: 'REASONS', flex: true },
      ],
      chart.buckets.map((b) => [
        b.start.slice(0, 10),
        String(b.push),
        String(b.pushSucceeded),
        String(b.upgrade),
        b.reasons.map((r) => `${r.code} ×${r.count}`).join(', '),
      ]),
      'No buckets.',
    );
  });

  const byCollection = withJson(
    cs
      .command('by-collection')
      .description('report: client deployment status by collection')
      .option('--rollout <rollout>', ROLLOUTS.join(' or '), 'production'),
  );
  action(byCollection, async ({ opts }) => {
    const rows = await (
      await ctx.client()
    ).call(ops.clientStatus.byCollectionReport, {
      query: { rollout: rolloutOf(opts.string('rollout')) },
    });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    ctx.out.table(
      [
        { header: 'COLLECTION' },
        { header: 'DEVICES', align: 'right' },
        ...CLIENT_DEPLOYMENT_STATES.map((s) => ({
          header: s.toUpperCase(),
          align: 'right' as const,
        })),
        { header: 'COMPLIANT %', align: 'right' },
      ],
      rows.map((r) => [
        r.collectionName,
        String(r.total),
        ...CLIENT_DEPLOYMENT_STATES.map((s) => String(r.counts[s])),
        r.compliantPercent.toFixed(1),
      ]),
      'No collections.',
    );
  });

  const failedReport = withJson(
    cs
      .command('failed')
      .description('report: failed client deployments with their reasons (last 30 days by default)')
      .option('--from <iso-time>', 'start of the period')
      .option('--to <iso-time>', 'end of the period (default now)'),
  );
  action(failedReport, async ({ opts }) => {
    const from = opts.string('from');
    const to = opts.string('to');
    const rows = await (
      await ctx.client()
    ).call(ops.clientStatus.failuresReport, {
      query: { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
    });
    if (opts.flag('json')) {
      ctx.out.json(rows);
      return;
    }
    ctx.out.table(
      [
        { header: 'AT' },
        { header: 'KIND' },
        { header: 'TARGET' },
        { header: 'CODE' },
        { header: 'REASON', flex: true },
      ],
      rows.map((r) => [r.at, r.kind, r.target, r.code, r.reason]),
      'No failed client deployment in the period.',
    );
  });
}
