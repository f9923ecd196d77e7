import {
  DpPxeSettingsOptions,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type DpPxe,
  type DpPxeActivity,
  type UpdateDpPxeRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, orDash } from '../output/format.js';
import { obtainPassword } from '../password.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { parseList } from '../options.js';

/** `steward dp pxe ...`: a DP's PXE responder, managed on the site (issue 11, ADR 0079). */
export function registerDpPxeCommands(dp: Command, ctx: Ctx): void {
  const pxe = dp.command('pxe').description("a distribution point's PXE responder");
  addShow(pxe, ctx);
  addSet(pxe, ctx);
  addActivity(pxe, ctx);
}

function printPxe(ctx: Ctx, p: DpPxe, groups: string): void {
  ctx.out.fields([
    ...settingEntries(DpPxeSettingsOptions).map(({ key, field }): [string, string] => [
      shownLabel(field),
      describeSetting(field, p[key]),
    ]),
    ['Server address', p.serverAddress ?? "(the DP's pxe.json)"],
    ['Boundary groups', groups || '(every client)'],
    ['PXE password', p.passwordSet ? 'set' : 'none'],
    [
      'Changed',
      p.updatedAt ? `${humanTime(p.updatedAt, ctx.io.now())} by ${orDash(p.updatedBy)}` : '-',
    ],
  ]);
}

async function groupNames(ctx: Ctx, ids: readonly string[]): Promise<string> {
  if (ids.length === 0) return '';
  const all = await (await ctx.client()).call(ops.boundaryGroups.list, {});
  return ids.map((id) => all.find((g) => g.id === id)?.name ?? id).join(', ');
}

function addShow(pxe: Command, ctx: Ctx): void {
  action(
    withJson(pxe.command('show').description('show the PXE settings').argument('<dp>')),
    async ({ opts, arg }) => {
      const p = await (await ctx.client()).call(ops.dpPxe.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(p);
      else printPxe(ctx, p, await groupNames(ctx, p.boundaryGroupIds));
    },
  );
}

function addSet(pxe: Command, ctx: Ctx): void {
  const set = withJson(
    pxe
      .command('set')
      .description('change the PXE settings; the DP applies them on its next poll')
      .argument('<dp>')
      .option('--server-address <ipv4>', "the DP's address on the PXE network ('' clears it)")
      .option(
        '--boundary-groups <names>',
        "answer only clients of these boundary groups (comma-separated; '' for every client)",
      )
      .option('--password', 'set a PXE password (prompted, or read with --password-stdin)')
      .option('--password-stdin', 'read the PXE password from stdin')
      .option('--no-password', 'remove the PXE password'),
  );
  addSettingFlags(set, DpPxeSettingsOptions);
  action(set, async ({ opts, arg }) => {
    const body: UpdateDpPxeRequest = { ...readSettingFlags(set, DpPxeSettingsOptions) };
    const address = opts.string('serverAddress');
    if (address !== undefined) body.serverAddress = address === '' ? null : address;
    const groups = opts.string('boundaryGroups');
    if (groups !== undefined) body.boundaryGroupIds = parseList([groups]);
    const raw: unknown = set.opts().password;
    if (opts.flag('passwordStdin') || raw === true)
      body.password = await obtainPassword(ctx.io, {
        fromStdin: opts.flag('passwordStdin'),
        prompt: 'PXE password: ',
        confirm: true,
      });
    else if (raw === false) body.password = null;
    if (Object.keys(body).length === 0) throw usageError('nothing to change: give an option');
    const p = await (
      await ctx.client()
    ).call(ops.dpPxe.update, {
      params: { id: arg(0) },
      body,
    });
    if (opts.flag('json')) ctx.out.json(p);
    else printPxe(ctx, p, await groupNames(ctx, p.boundaryGroupIds));
  });
}

function printActivity(ctx: Ctx, a: DpPxeActivity): void {
  ctx.out.table(
    [
      { header: 'WHEN' },
      { header: 'STAGE' },
      { header: 'CLIENT' },
      { header: 'ADDRESS' },
      { header: 'ANSWERED' },
      { header: 'DETAIL' },
    ],
    a.items.map((e) => [
      humanTime(e.at, ctx.io.now()),
      e.stage,
      e.client,
      e.address ?? '-',
      e.answered ? 'yes' : 'no',
      e.detail,
    ]),
  );
}

function addActivity(pxe: Command, ctx: Ctx): void {
  action(
    withJson(
      pxe
        .command('activity')
        .description('the PXE requests the DP saw and what it decided, newest first')
        .argument('<dp>')
        .option('--mac <mac>', "only this machine's requests")
        .option('--limit <n>', 'at most this many (1-1000, default 100)'),
    ),
    async ({ opts, arg }) => {
      const mac = opts.string('mac');
      const limitText = opts.string('limit');
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000))
        throw usageError('--limit takes a number from 1 to 1000');
      const a = await (
        await ctx.client()
      ).call(ops.dpPxe.activity, {
        params: { id: arg(0) },
        query: { ...(mac !== undefined ? { mac } : {}), ...(limit !== undefined ? { limit } : {}) },
      });
      if (opts.flag('json')) ctx.out.json(a);
      else printActivity(ctx, a);
    },
  );
}
