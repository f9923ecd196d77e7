import {
  DpMulticastSettingsOptions,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type DpMulticast,
  type DpMulticastSessions,
  type MulticastSessionState,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, orDash } from '../output/format.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';

const STATES: readonly MulticastSessionState[] = ['waiting', 'sending', 'finished', 'failed'];

/** `steward dp multicast ...`: a DP's multicast sessions (issue 11, ADR 0088). */
export function registerDpMulticastCommands(dp: Command, ctx: Ctx): void {
  const mc = dp.command('multicast').description("a distribution point's multicast sessions");
  addShow(mc, ctx);
  addSet(mc, ctx);
  addSessions(mc, ctx);
}

function printMulticast(ctx: Ctx, m: DpMulticast): void {
  ctx.out.fields([
    ...settingEntries(DpMulticastSettingsOptions).map(({ key, field }): [string, string] => [
      shownLabel(field),
      describeSetting(field, m[key]),
    ]),
    [
      'Changed',
      m.updatedAt ? `${humanTime(m.updatedAt, ctx.io.now())} by ${orDash(m.updatedBy)}` : '-',
    ],
  ]);
}

function addShow(mc: Command, ctx: Ctx): void {
  action(
    withJson(mc.command('show').description('show the multicast settings').argument('<dp>')),
    async ({ opts, arg }) => {
      const m = await (await ctx.client()).call(ops.dpMulticast.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(m);
      else printMulticast(ctx, m);
    },
  );
}

function addSet(mc: Command, ctx: Ctx): void {
  const set = withJson(
    mc
      .command('set')
      .description('change the multicast settings; the DP applies them on its next poll')
      .argument('<dp>'),
  );
  addSettingFlags(set, DpMulticastSettingsOptions);
  action(set, async ({ opts, arg }) => {
    const body = readSettingFlags(set, DpMulticastSettingsOptions);
    if (Object.keys(body).length === 0) throw usageError('nothing to change: give an option');
    const m = await (
      await ctx.client()
    ).call(ops.dpMulticast.update, { params: { id: arg(0) }, body });
    if (opts.flag('json')) ctx.out.json(m);
    else printMulticast(ctx, m);
  });
}

function printSessions(ctx: Ctx, s: DpMulticastSessions): void {
  ctx.out.table(
    [
      { header: 'SESSION' },
      { header: 'STATE' },
      { header: 'FILE' },
      { header: 'CLIENTS' },
      { header: 'RECEIVERS' },
      { header: 'BYTES SENT' },
      { header: 'GROUP' },
      { header: 'CREATED' },
    ],
    s.items.map((x) => [
      x.id,
      x.state,
      x.sha256.slice(0, 12),
      String(x.clients),
      String(x.receivers),
      String(x.bytesSent),
      `${x.address}:${String(x.port)}`,
      humanTime(x.createdAt, ctx.io.now()),
    ]),
  );
}

function addSessions(mc: Command, ctx: Ctx): void {
  action(
    withJson(
      mc
        .command('sessions')
        .description('the multicast sessions the DP reported, newest first')
        .argument('<dp>')
        .option('--state <state>', `only sessions in this state (${STATES.join(', ')})`)
        .option('--limit <n>', 'at most this many (1-1000, default 100)'),
    ),
    async ({ opts, arg }) => {
      const stateText = opts.string('state');
      const state = STATES.find((s) => s === stateText);
      if (stateText !== undefined && state === undefined)
        throw usageError(`--state takes one of ${STATES.join(', ')}`);
      const limitText = opts.string('limit');
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000))
        throw usageError('--limit takes a number from 1 to 1000');
      const s = await (
        await ctx.client()
      ).call(ops.dpMulticast.sessions, {
        params: { id: arg(0) },
        query: { ...(state ? { state } : {}), ...(limit !== undefined ? { limit } : {}) },
      });
      if (opts.flag('json')) ctx.out.json(s);
      else printSessions(ctx, s);
    },
  );
}
