import { ops, type UpdateRollup } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';

function print(ctx: Ctx, json: boolean, r: UpdateRollup): void {
  if (json) {
    ctx.out.json(r);
    return;
  }
  ctx.out.fields([
    ['Rollup', `${r.sourceName} (${r.suite}, ${r.sourceId})`],
    ['Latest applicable', String(r.updateIds.length)],
    ['Group', r.groupName ?? 'none (refresh makes it)'],
    ['Current', r.current ? 'yes' : 'no'],
    ['Refreshed', r.refreshedAt ?? 'never'],
  ]);
}

/** `steward update rollup ...`: rollups per product and release (issue 10, ADR 0072). */
export function addUpdateRollupCommands(parent: Command, ctx: Ctx): void {
  const rollup = parent
    .command('rollup')
    .description("rollups: each source's latest applicable updates, as one group");

  action(withJson(rollup.command('list').description('one rollup per source')), async (i) => {
    const page = await (await ctx.client()).call(ops.updateRollups.listUpdateRollups, {});
    if (i.opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [
        { header: 'SOURCE' },
        { header: 'SUITE' },
        { header: 'UPDATES' },
        { header: 'CURRENT' },
        { header: 'GROUP', flex: true },
      ],
      page.items.map((r) => [
        r.sourceName,
        r.suite,
        String(r.updateIds.length),
        r.current ? 'yes' : 'no',
        r.groupName ?? '-',
      ]),
      'No update sources. Add one with `steward update source add`.',
    );
  });

  action(
    withJson(rollup.command('show').description("one source's rollup").argument('<source>')),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.updateRollups.getUpdateRollup, { params: { id: arg(0) } });
      print(ctx, opts.flag('json'), r);
    },
  );

  action(
    withJson(
      rollup
        .command('refresh')
        .description("bring the rollup's group to the latest set and publish it")
        .argument('<source>'),
    ),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.updateRollups.refreshUpdateRollup, { params: { id: arg(0) } });
      print(ctx, opts.flag('json'), r);
    },
  );
}
