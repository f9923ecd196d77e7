import { ErrorCode, type BoundaryType, type UpdateBoundaryRequest } from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { registerBoundaryGroupCommands } from './boundary-groups.js';
import { parseRange, parseSubnet } from './schedule-flags.js';
import { namesOf, namingFlags, printDeleted, requireSome } from './software-common.js';

/** Boundaries (IP subnets and ranges) and the boundary groups they belong to. */
export function registerBoundaryCommands(program: Command, ctx: Ctx): void {
  const boundary = program
    .command('boundary')
    .description('boundaries: IP subnets and ranges that place clients in boundary groups');
  addList(boundary, ctx);
  addCreate(boundary, ctx);
  addUpdate(boundary, ctx);
  addDelete(boundary, ctx);
  registerBoundaryGroupCommands(program, ctx);
}

/** `--subnet` or `--range` (one of them) -> type and value; undefined when neither is given. */
function boundaryValue(opts: Opts): { type: BoundaryType; value: string } | undefined {
  const subnet = opts.string('subnet');
  const range = opts.string('range');
  if (subnet !== undefined && range !== undefined)
    throw usageError('--subnet and --range exclude each other');
  if (subnet !== undefined) return { type: 'subnet', value: parseSubnet(subnet) };
  if (range !== undefined) return { type: 'range', value: parseRange(range) };
  return undefined;
}

function valueFlags(cmd: Command): Command {
  return cmd
    .option('--subnet <cidr>', 'an IP subnet, e.g. 10.1.0.0/16 or fd00:1::/48')
    .option('--range <a-b>', 'an address range, e.g. 10.1.0.10-10.1.0.200')
    .option('--group <boundary-group>', 'a boundary group it belongs to (repeatable)', collect);
}

function addList(boundary: Command, ctx: Ctx): void {
  action(withJson(boundary.command('list').description('list boundaries')), async ({ opts }) => {
    const client = await ctx.client();
    const [list, groups] = await Promise.all([
      client.listBoundaries(),
      client.listBoundaryGroups(),
    ]);
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'TYPE' },
        { header: 'VALUE' },
        { header: 'BOUNDARY GROUPS', flex: true },
      ],
      list.map((b) => [b.name, b.type, b.value, namesOf(b.boundaryGroupIds, groups)]),
      'No boundaries.',
    );
  });
}

function addCreate(boundary: Command, ctx: Ctx): void {
  const create = withJson(
    valueFlags(boundary.command('create').description('create a boundary').argument('<name>')),
  );
  action(create, async ({ opts, arg }) => {
    const value = boundaryValue(opts);
    if (value === undefined) throw usageError('give --subnet CIDR or --range A-B');
    const groups = opts.strings('group');
    const b = await namingFlags(
      (await ctx.client()).createBoundary({
        name: arg(0),
        ...value,
        ...(groups.length > 0 ? { boundaryGroupIds: groups } : {}),
      }),
      { [ErrorCode.BOUNDARY_GROUP_NOT_FOUND]: '--group' },
    );
    if (opts.flag('json')) {
      ctx.out.json(b);
      return;
    }
    ctx.out.line(`Boundary ${b.name} (${b.type} ${b.value}) created.`);
    if (b.boundaryGroupIds.length === 0)
      ctx.out.note('It is in no boundary group yet: clients in it get the default DP list.');
  });
}

function addUpdate(boundary: Command, ctx: Ctx): void {
  const update = withJson(
    valueFlags(
      boundary
        .command('update')
        .description('change a boundary; --group replaces its boundary groups')
        .argument('<name-or-id>')
        .option('--new-name <name>', 'rename it')
        .option('--clear-groups', 'take it out of every boundary group'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const req: UpdateBoundaryRequest = { ...boundaryValue(opts) };
    const name = opts.string('newName');
    if (name !== undefined) req.name = name;
    const groupNames = opts.strings('group');
    if (groupNames.length > 0 && opts.flag('clearGroups'))
      throw usageError('--group and --clear-groups exclude each other');
    if (groupNames.length > 0) req.boundaryGroupIds = groupNames;
    if (opts.flag('clearGroups')) req.boundaryGroupIds = [];
    requireSome(req);
    const b = await namingFlags((await ctx.client()).updateBoundary(arg(0), req), {
      [ErrorCode.BOUNDARY_GROUP_NOT_FOUND]: '--group',
    });
    if (opts.flag('json')) {
      ctx.out.json(b);
      return;
    }
    ctx.out.line(`Boundary ${b.name} updated.`);
  });
}

function addDelete(boundary: Command, ctx: Ctx): void {
  action(
    withJson(boundary.command('delete').description('delete a boundary').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      await (await ctx.client()).deleteBoundary(arg(0));
      printDeleted(ctx, opts.flag('json'), 'Boundary', arg(0));
    },
  );
}
