import {
  DpStateMigrationOptions,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type ComputerAssociation,
  type DpStateMigration,
  type UserStateRecord,
  type UserStateRecordState,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, orDash } from '../output/format.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { formatBytes } from './software-common.js';

const STATES: readonly UserStateRecordState[] = ['requested', 'captured', 'restored', 'expired'];

// ---- steward dp smp ----

/** `steward dp smp ...`: a DP's state migration point role (issue 11, ADR 0096). */
export function registerDpStateMigrationCommands(dp: Command, ctx: Ctx): void {
  const smp = dp.command('smp').description("a distribution point's state migration point role");
  action(
    withJson(smp.command('show').description('show the role and its settings').argument('<dp>')),
    async ({ opts, arg }) => {
      const s = await (
        await ctx.client()
      ).call(ops.dpStateMigration.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(s);
      else printPoint(ctx, s);
    },
  );
  const set = withJson(
    smp
      .command('set')
      .description('enable or change the role; the DP applies it on its next poll')
      .argument('<dp>'),
  );
  addSettingFlags(set, DpStateMigrationOptions);
  action(set, async ({ opts, arg }) => {
    const body = readSettingFlags(set, DpStateMigrationOptions);
    if (Object.keys(body).length === 0) throw usageError('nothing to change: give an option');
    const s = await (
      await ctx.client()
    ).call(ops.dpStateMigration.update, { params: { id: arg(0) }, body });
    if (opts.flag('json')) ctx.out.json(s);
    else printPoint(ctx, s);
  });
}

function printPoint(ctx: Ctx, s: DpStateMigration): void {
  ctx.out.fields([
    ...settingEntries(DpStateMigrationOptions).map(({ key, field }): [string, string] => [
      shownLabel(field),
      describeSetting(field, s[key]),
    ]),
    [
      'Changed',
      s.updatedAt ? `${humanTime(s.updatedAt, ctx.io.now())} by ${orDash(s.updatedBy)}` : '-',
    ],
  ]);
}

// ---- steward user-state ----

function printRecord(ctx: Ctx, r: UserStateRecord): void {
  const when = (at: string | null) => (at ? humanTime(at, ctx.io.now()) : '-');
  ctx.out.fields([
    ['User-state record', r.id],
    ['State', r.state],
    ['Source', `${r.sourceName} (${r.sourceComputerId})`],
    ['Destination', `${r.destinationName} (${r.destinationComputerId})`],
    ['Store', `${r.store} on ${r.dpName}`],
    ['Size', r.sizeBytes === null ? '-' : `${formatBytes(r.sizeBytes)} encrypted`],
    ['SHA-256', orDash(r.sha256)],
    ['Requested', when(r.createdAt)],
    ['Captured', when(r.capturedAt)],
    ['Restored', when(r.restoredAt)],
    ['Expired', when(r.expiredAt)],
  ]);
}

function printAssociations(ctx: Ctx, list: readonly ComputerAssociation[]): void {
  ctx.out.table(
    [{ header: 'ID' }, { header: 'SOURCE' }, { header: 'DESTINATION' }, { header: 'CREATED' }],
    list.map((a) => [
      a.id,
      `${a.sourceName} (${a.sourceKind})`,
      `${a.destinationName} (${a.destinationKind})`,
      `${humanTime(a.createdAt, ctx.io.now())} by ${a.createdBy}`,
    ]),
  );
}

/**
 * `steward user-state ...`: user-state records (list, show, delete) and the computer
 * associations of the replace scenario (issue 11, ADR 0096).
 */
export function registerUserStateCommands(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('user-state')
    .description('user-state records and computer associations (OS deployment)');
  action(
    withJson(
      cmd
        .command('list')
        .description('user-state records, newest first')
        .option('--state <state>', STATES.join(', '))
        .option('--computer <computer>', 'records whose source or destination is this computer'),
    ),
    async ({ opts }) => {
      const asked = opts.string('state');
      const state = STATES.find((s) => s === asked);
      if (asked !== undefined && !state) throw usageError(`--state is one of ${STATES.join(', ')}`);
      const computer = opts.string('computer');
      const list = await (
        await ctx.client()
      ).call(ops.userState.list, {
        query: { ...(state ? { state } : {}), ...(computer ? { computer } : {}) },
      });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'ID' },
          { header: 'STATE' },
          { header: 'SOURCE' },
          { header: 'DESTINATION' },
          { header: 'POINT' },
          { header: 'SIZE' },
          { header: 'CAPTURED' },
        ],
        list.map((r) => [
          r.id,
          r.state,
          r.sourceName,
          r.destinationName,
          r.dpName,
          r.sizeBytes === null ? '-' : formatBytes(r.sizeBytes),
          r.capturedAt ? humanTime(r.capturedAt, ctx.io.now()) : '-',
        ]),
      );
    },
  );
  action(
    withJson(cmd.command('show').description('show a user-state record').argument('<id>')),
    async ({ opts, arg }) => {
      const r = await (await ctx.client()).call(ops.userState.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(r);
      else printRecord(ctx, r);
    },
  );
  action(
    cmd
      .command('delete')
      .description('delete a user-state record (its point deletes the archive on its next poll)')
      .argument('<id>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.userState.delete, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );
  const assoc = cmd
    .command('association')
    .description('computer associations: restore a source computer’s state on a destination');
  action(
    withJson(assoc.command('list').description('computer associations, newest first')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.userState.associations, {});
      if (opts.flag('json')) ctx.out.json(list);
      else printAssociations(ctx, list);
    },
  );
  action(
    withJson(
      assoc
        .command('create')
        .description(
          'associate a source computer with a destination (devices by id or name, imported or unknown computers)',
        )
        .argument('<source>')
        .argument('<destination>'),
    ),
    async ({ opts, arg }) => {
      const a = await (
        await ctx.client()
      ).call(ops.userState.associate, { body: { source: arg(0), destination: arg(1) } });
      if (opts.flag('json')) ctx.out.json(a);
      else printAssociations(ctx, [a]);
    },
  );
  action(
    assoc.command('delete').description('delete a computer association').argument('<id>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.userState.dissociate, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );
}
