import {
  ErrorCode,
  type ApiClient,
  type DpGroup,
  type UpdateDpGroupRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { plural } from '../output/format.js';
import {
  lookup,
  lookupIds,
  namesOf,
  namingFlags,
  printDeleted,
  requireSome,
} from './software-common.js';

/**
 * DP groups. Adding a DP to a group does not send it the group's packages (seed 004): `show`
 * lists the members missing content and `distribute-to-new-members` sends it.
 */
export function registerDpGroupCommands(program: Command, ctx: Ctx): void {
  const group = program
    .command('dp-group')
    .description('groups of distribution points that packages are distributed to together');
  addList(group, ctx);
  addShow(group, ctx);
  addCreate(group, ctx);
  addUpdate(group, ctx);
  addDelete(group, ctx);
  addMembers(group, ctx);
  addDistributeToNewMembers(group, ctx);
}

const hint = (group: string) =>
  `Adding a DP to a group does not distribute the group's packages to it: run "steward dp-group distribute-to-new-members ${group}".`;

function addList(group: Command, ctx: Ctx): void {
  action(withJson(group.command('list').description('list DP groups')), async ({ opts }) => {
    const groups = await (await ctx.client()).listDpGroups();
    if (opts.flag('json')) {
      ctx.out.json(groups);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'NAME' },
        { header: 'MEMBERS', align: 'right' },
        { header: 'PACKAGES', align: 'right' },
        { header: 'MISSING CONTENT', align: 'right' },
        { header: 'DESCRIPTION', flex: true },
      ],
      groups.map((g) => [
        g.name,
        String(g.memberIds.length),
        String(g.packageIds.length),
        g.membersMissingContent.length > 0
          ? out.style.yellow(plural(g.membersMissingContent.length, 'member'))
          : '-',
        g.description,
      ]),
      'No DP groups.',
    );
  });
}

async function printGroup(ctx: Ctx, client: ApiClient, g: DpGroup): Promise<void> {
  const { out } = ctx;
  const [dps, packages] = await Promise.all([
    client.listDistributionPoints(),
    g.packageIds.length > 0 ? client.listPackages() : [],
  ]);
  out.heading(g.name);
  out.fields([
    ['Id', g.id],
    ['Description', g.description || '-'],
    ['Members', namesOf(g.memberIds, dps)],
    ['Packages', namesOf(g.packageIds, packages)],
  ]);
  if (g.membersMissingContent.length === 0) return;
  out.line();
  out.heading(
    out.style.yellow(`Members missing the group's content (${g.membersMissingContent.length})`),
  );
  for (const m of g.membersMissingContent)
    out.line(`  ${namesOf([m.dpId], dps)}: ${namesOf(m.missingPackageIds, packages)}`);
  out.note(hint(g.name));
}

function addShow(group: Command, ctx: Ctx): void {
  action(
    withJson(group.command('show').description('a DP group').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const g = await client.getDpGroup(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(g);
        return;
      }
      await printGroup(ctx, client, g);
    },
  );
}

function addCreate(group: Command, ctx: Ctx): void {
  const create = withJson(
    group
      .command('create')
      .description('create a DP group')
      .argument('<name>')
      .option('--dp <name-or-id>', 'a member (repeatable)', collect)
      .option('--description <text>', 'what the group is for'),
  );
  action(create, async ({ opts, arg }) => {
    const memberIds = opts.strings('dp');
    const description = opts.string('description');
    const g = await namingFlags(
      (await ctx.client()).createDpGroup({
        name: arg(0),
        ...(description !== undefined ? { description } : {}),
        ...(memberIds.length > 0 ? { memberIds } : {}),
      }),
      { [ErrorCode.DP_NOT_FOUND]: '--dp' },
    );
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(`DP group ${g.name} created with ${plural(g.memberIds.length, 'member')}.`);
  });
}

function addUpdate(group: Command, ctx: Ctx): void {
  const update = withJson(
    group
      .command('update')
      .description('rename or describe a DP group (members: add-member, remove-member)')
      .argument('<name-or-id>')
      .option('--new-name <name>', 'rename it')
      .option('--description <text>', 'what the group is for'),
  );
  action(update, async ({ opts, arg }) => {
    const req: UpdateDpGroupRequest = {};
    const name = opts.string('newName');
    if (name !== undefined) req.name = name;
    const description = opts.string('description');
    if (description !== undefined) req.description = description;
    requireSome(req);
    const g = await (await ctx.client()).updateDpGroup(arg(0), req);
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(`DP group ${g.name} updated.`);
  });
}

function addDelete(group: Command, ctx: Ctx): void {
  action(
    withJson(group.command('delete').description('delete a DP group').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      await (await ctx.client()).deleteDpGroup(arg(0));
      printDeleted(ctx, opts.flag('json'), 'DP group', arg(0));
    },
  );
}

function addMembers(group: Command, ctx: Ctx): void {
  const add = withJson(
    group
      .command('add-member')
      .description("add distribution points (they do not get the group's packages by joining)")
      .argument('<group>')
      .argument('<dp...>'),
  );
  action(add, async ({ opts, arg, argList }) => {
    const client = await ctx.client();
    // Ids, not the names typed: they pick the new members out of membersMissingContent.
    const ids = await lookupIds('<dp>', argList(1), (v) => client.getDistributionPoint(v));
    const g = await client.addDpGroupMembers(arg(0), ids);
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(`Added ${plural(ids.length, 'distribution point')} to ${g.name}.`);
    const missing = g.membersMissingContent.filter((m) => ids.includes(m.dpId));
    if (missing.length > 0) {
      ctx.out.warn(
        `${plural(missing.length, 'new member')} ${missing.length === 1 ? 'lacks' : 'lack'} the group's ${plural(g.packageIds.length, 'package')}.`,
      );
      ctx.out.note(hint(g.name));
    }
  });
  const remove = withJson(
    group
      .command('remove-member')
      .description('remove a distribution point from the group')
      .argument('<group>')
      .argument('<dp>'),
  );
  action(remove, async ({ opts, arg }) => {
    const client = await ctx.client();
    const dp = await lookup('<dp>', arg(1), (v) => client.getDistributionPoint(v));
    const g = await client.removeDpGroupMember(arg(0), dp.id);
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(`Removed ${dp.name} from ${g.name}.`);
  });
}

function addDistributeToNewMembers(group: Command, ctx: Ctx): void {
  const cmd = withJson(
    group
      .command('distribute-to-new-members')
      .description("distribute the group's packages to members that lack them")
      .argument('<group>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const client = await ctx.client();
    const before = await client.getDpGroup(arg(0));
    const after = await client.distributeToNewMembers(before.id);
    if (opts.flag('json')) {
      ctx.out.json(after);
      return;
    }
    if (before.membersMissingContent.length === 0) {
      ctx.out.line(`Every member of ${after.name} already has the group's content.`);
      return;
    }
    const packages = before.membersMissingContent.reduce(
      (n, m) => n + m.missingPackageIds.length,
      0,
    );
    ctx.out.line(
      `Distributing ${plural(packages, 'package assignment')} to ${plural(before.membersMissingContent.length, 'member')} of ${after.name}.`,
    );
    ctx.out.note('Follow it with "steward report distribution-status".');
  });
}
