import { ops, type UpdateGroup } from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime } from '../output/format.js';

function printGroup(ctx: Ctx, g: UpdateGroup): void {
  ctx.out.fields([
    ['Update group', `${g.name} (${g.id})`],
    ['Description', g.description === '' ? '-' : g.description],
    ['Updates', g.updateIds.length === 0 ? 'none' : g.updateIds.join(', ')],
    ['Custom updates', g.customUpdateIds.length === 0 ? 'none' : g.customUpdateIds.join(', ')],
    ['Changed', humanTime(g.updatedAt, ctx.io.now())],
  ]);
}

/** Prints a group as JSON or as fields. */
function show(ctx: Ctx, json: boolean, g: UpdateGroup): void {
  if (json) ctx.out.json(g);
  else printGroup(ctx, g);
}

/** `steward update group ...`: update groups (issue 10). */
export function addUpdateGroupCommands(parent: Command, ctx: Ctx): void {
  const group = parent.command('group').description('update groups: named sets of updates');

  action(withJson(group.command('list').description('update groups')), async ({ opts }) => {
    const page = await (await ctx.client()).call(ops.updateGroups.listGroups, {});
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [{ header: 'NAME' }, { header: 'UPDATES' }, { header: 'CHANGED', flex: true }],
      page.items.map((g) => [
        g.name,
        String(g.updateIds.length + g.customUpdateIds.length),
        humanTime(g.updatedAt, now),
      ]),
      'No update groups. Create one with `steward update group create`.',
    );
  });

  action(
    withJson(
      group
        .command('create')
        .description('create an update group')
        .argument('<name>')
        .option('--description <text>', 'what the group is for')
        .option('--update <id>', 'an update to put in it (repeatable)', collect),
    ),
    async ({ opts, arg }) => {
      const updateIds = opts.strings('update');
      const g = await (
        await ctx.client()
      ).call(ops.updateGroups.createGroup, {
        body: {
          name: arg(0),
          ...(opts.string('description') !== undefined
            ? { description: opts.string('description') }
            : {}),
          ...(updateIds.length > 0 ? { updateIds } : {}),
        },
      });
      show(ctx, opts.flag('json'), g);
    },
  );

  action(
    withJson(group.command('show').description('one update group').argument('<group>')),
    async ({ opts, arg }) => {
      const g = await (
        await ctx.client()
      ).call(ops.updateGroups.getGroup, { params: { id: arg(0) } });
      show(ctx, opts.flag('json'), g);
    },
  );

  action(
    withJson(
      group
        .command('set')
        .description('rename an update group or change its description')
        .argument('<group>')
        .option('--name <name>', 'a new name')
        .option('--description <text>', 'a new description'),
    ),
    async ({ opts, arg }) => {
      const body = {
        ...(opts.string('name') !== undefined ? { name: opts.string('name') } : {}),
        ...(opts.string('description') !== undefined
          ? { description: opts.string('description') }
          : {}),
      };
      if (Object.keys(body).length === 0) throw usageError('nothing to set: see --help');
      const g = await (
        await ctx.client()
      ).call(ops.updateGroups.updateGroup, { params: { id: arg(0) }, body });
      show(ctx, opts.flag('json'), g);
    },
  );

  action(
    withJson(
      group
        .command('add')
        .description('add updates to a group')
        .argument('<group>')
        .argument('<update...>', 'update ids'),
    ),
    async ({ opts, arg, argList }) => {
      const g = await (
        await ctx.client()
      ).call(ops.updateGroups.addUpdates, {
        params: { id: arg(0) },
        body: { updateIds: argList(1) },
      });
      show(ctx, opts.flag('json'), g);
    },
  );

  action(
    withJson(
      group
        .command('remove')
        .description('remove one update from a group (the others stay)')
        .argument('<group>')
        .argument('<update>', 'the update id'),
    ),
    async ({ opts, arg }) => {
      const g = await (
        await ctx.client()
      ).call(ops.updateGroups.removeUpdate, { params: { id: arg(0), updateId: arg(1) } });
      show(ctx, opts.flag('json'), g);
    },
  );

  action(
    withJson(
      group
        .command('publish')
        .description(
          "build the group's approved updates into a site-signed apt repository (content package)",
        )
        .argument('<group>'),
    ),
    async ({ opts, arg }) => {
      const c = await (
        await ctx.client()
      ).call(ops.updateGroups.publishContent, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(c);
        return;
      }
      ctx.out.fields([
        ['Content package', `${c.packageName} (${c.packageId})`],
        ['Version', String(c.versionNumber)],
        ['Binary packages', String(c.binaries)],
        ['Signed by', c.signedBy],
      ]);
    },
  );

  action(
    group.command('delete').description('delete an update group').argument('<group>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.updateGroups.deleteGroup, { params: { id: arg(0) } });
      ctx.out.note(`update group ${arg(0)} deleted`);
    },
  );
}
