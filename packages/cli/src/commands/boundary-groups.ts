import { isIP } from 'node:net';
import {
  ErrorCode,
  type BoundaryGroup,
  type CreateBoundaryGroupRequest,
  type UpdateBoundaryGroupRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { parseNeighbourSpec } from './schedule-flags.js';
import {
  namesOf,
  namingFlags,
  onOff,
  printDeleted,
  requireSome,
  yesNo,
} from './software-common.js';

export function registerBoundaryGroupCommands(program: Command, ctx: Ctx): void {
  const group = program
    .command('boundary-group')
    .description('boundary groups: which DPs serve clients of which boundaries, and fallback');
  addList(group, ctx);
  addShow(group, ctx);
  addCreate(group, ctx);
  addUpdate(group, ctx);
  addDelete(group, ctx);
  addResolve(group, ctx);
}

function groupFlags(cmd: Command): Command {
  return cmd
    .option('--dp <name-or-id>', 'a distribution point of the group (repeatable)', collect)
    .option(
      '--neighbour <group[:minutes]>',
      'a neighbour group clients fall back to after MINUTES (default 120; repeatable)',
      collect,
    )
    .option('--site-code <code>', 'site code its clients are assigned to (3 characters)')
    .option('--description <text>', 'where it is');
}

/**
 * The fields given as flags, checked locally. DPs and neighbours go as typed: the site takes an
 * id or a unique name in their place and answers DP_NOT_FOUND / BOUNDARY_GROUP_NOT_FOUND.
 */
function groupFields(opts: Opts, slow: boolean | undefined): UpdateBoundaryGroupRequest {
  const req: UpdateBoundaryGroupRequest = {};
  const siteCode = opts.string('siteCode');
  if (siteCode !== undefined && siteCode.length !== 3)
    throw usageError(`--site-code must be 3 characters; got "${siteCode}"`);
  const specs = opts.strings('neighbour');
  const neighbours = specs.map((s) => parseNeighbourSpec(s));
  const dps = opts.strings('dp');
  if (opts.flag('clearDps') && dps.length > 0)
    throw usageError('--dp and --clear-dps exclude each other');
  if (opts.flag('clearNeighbours') && specs.length > 0)
    throw usageError('--neighbour and --clear-neighbours exclude each other');
  if (siteCode !== undefined) req.siteCode = siteCode;
  const description = opts.string('description');
  if (description !== undefined) req.description = description;
  if (dps.length > 0) req.dpIds = dps;
  if (opts.flag('clearDps')) req.dpIds = [];
  if (neighbours.length > 0)
    req.neighbours = neighbours.map((n) => ({
      boundaryGroupId: n.group,
      fallbackAfterMinutes: n.fallbackAfterMinutes,
    }));
  if (opts.flag('clearNeighbours')) req.neighbours = [];
  if (slow !== undefined) req.slow = slow;
  return req;
}

function addList(group: Command, ctx: Ctx): void {
  action(withJson(group.command('list').description('list boundary groups')), async ({ opts }) => {
    const client = await ctx.client();
    const groups = await client.listBoundaryGroups();
    if (opts.flag('json')) {
      ctx.out.json(groups);
      return;
    }
    const dps = await client.listDistributionPoints();
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'SITE' },
        { header: 'BOUNDARIES', align: 'right' },
        { header: 'SLOW' },
        { header: 'DISTRIBUTION POINTS' },
        { header: 'NEIGHBOURS', flex: true },
      ],
      groups.map((g) => [
        g.name,
        g.siteCode,
        String(g.boundaryIds.length),
        g.slow ? ctx.out.style.yellow('slow') : '-',
        namesOf(g.dpIds, dps),
        describeNeighbours(g, groups),
      ]),
      'No boundary groups.',
    );
  });
}

function describeNeighbours(g: BoundaryGroup, all: readonly BoundaryGroup[]): string {
  if (g.neighbours.length === 0) return '-';
  return g.neighbours
    .map((n) => `${namesOf([n.boundaryGroupId], all)} after ${n.fallbackAfterMinutes} min`)
    .join(', ');
}

function addShow(group: Command, ctx: Ctx): void {
  action(
    withJson(group.command('show').description('a boundary group').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const g = await client.getBoundaryGroup(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(g);
        return;
      }
      const [dps, groups, boundaries] = await Promise.all([
        client.listDistributionPoints(),
        client.listBoundaryGroups(),
        client.listBoundaries(),
      ]);
      const { out } = ctx;
      out.heading(g.name);
      out.fields([
        ['Id', g.id],
        ['Site code', g.siteCode],
        ['Slow or unreliable', yesNo(g.slow)],
        ['Distribution points', namesOf(g.dpIds, dps)],
        ['Neighbours', describeNeighbours(g, groups)],
        ['Description', g.description || '-'],
      ]);
      out.line();
      out.heading(`Boundaries (${g.boundaryIds.length})`);
      const mine = boundaries.filter((b) => g.boundaryIds.includes(b.id));
      if (mine.length === 0) out.line('  (none: no client is in this group)');
      for (const b of mine) out.line(`  ${b.name}: ${b.type} ${b.value}`);
    },
  );
}

function addCreate(group: Command, ctx: Ctx): void {
  const create = withJson(
    groupFlags(
      group
        .command('create')
        .description('create a boundary group')
        .argument('<name>')
        .option('--slow', 'a slow or unreliable link (deployments may refuse to run over it)'),
    ),
  );
  action(create, async ({ opts, arg }) => {
    const fields = groupFields(opts, opts.flag('slow') ? true : undefined);
    const req: CreateBoundaryGroupRequest = { name: arg(0), ...fields };
    const g = await namingFlags((await ctx.client()).createBoundaryGroup(req), {
      [ErrorCode.DP_NOT_FOUND]: '--dp',
      [ErrorCode.BOUNDARY_GROUP_NOT_FOUND]: '--neighbour',
    });
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(
      `Boundary group ${g.name} created; add boundaries with "steward boundary create ... --group ${g.name}".`,
    );
  });
}

function addUpdate(group: Command, ctx: Ctx): void {
  const update = withJson(
    groupFlags(
      group
        .command('update')
        .description('change a boundary group; --dp and --neighbour replace the lists')
        .argument('<name-or-id>')
        .option('--new-name <name>', 'rename it')
        .option('--slow', 'a slow or unreliable link')
        .option('--no-slow', 'a fast, reliable link')
        .option('--clear-dps', 'remove every distribution point')
        .option('--clear-neighbours', 'remove every neighbour'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const req = groupFields(opts, onOff(update, 'slow'));
    const name = opts.string('newName');
    if (name !== undefined) req.name = name;
    requireSome(req);
    // Not BOUNDARY_GROUP_NOT_FOUND: <name-or-id> raises it too.
    const g = await namingFlags((await ctx.client()).updateBoundaryGroup(arg(0), req), {
      [ErrorCode.DP_NOT_FOUND]: '--dp',
    });
    if (opts.flag('json')) {
      ctx.out.json(g);
      return;
    }
    ctx.out.line(`Boundary group ${g.name} updated.`);
  });
}

function addDelete(group: Command, ctx: Ctx): void {
  action(
    withJson(
      group.command('delete').description('delete a boundary group').argument('<name-or-id>'),
    ),
    async ({ opts, arg }) => {
      await (await ctx.client()).deleteBoundaryGroup(arg(0));
      printDeleted(ctx, opts.flag('json'), 'Boundary group', arg(0));
    },
  );
}

function addResolve(group: Command, ctx: Ctx): void {
  const resolve = withJson(
    group
      .command('resolve')
      .description('which boundary groups and DPs a client at an address gets, in order')
      .requiredOption('--ip <address>', 'the client address')
      .option('--package <name-or-id>', 'DPs holding this package'),
  );
  action(resolve, async ({ opts }) => {
    const ip = opts.requiredString('ip');
    if (isIP(ip) === 0) throw usageError(`--ip must be an IPv4 or IPv6 address; got "${ip}"`);
    const client = await ctx.client();
    const pkg = opts.string('package');
    const res = await namingFlags(client.resolveContentLocations(ip, pkg), {
      [ErrorCode.PACKAGE_NOT_FOUND]: `--package ${pkg ?? ''}`,
    });
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    const groups = await client.listBoundaryGroups();
    const { out } = ctx;
    out.fields([
      ['Client address', res.clientAddress],
      [
        'Boundary groups',
        res.boundaryGroupIds.length === 0
          ? 'none (default list)'
          : namesOf(res.boundaryGroupIds, groups),
      ],
      ['Slow or unreliable', yesNo(res.slow)],
    ]);
    out.line();
    out.table(
      [
        { header: '#', align: 'right' },
        { header: 'DISTRIBUTION POINT' },
        { header: 'TIER' },
        { header: 'AFTER', align: 'right' },
        { header: 'URL', flex: true },
      ],
      res.locations.map((l, i) => [
        String(i + 1),
        l.name,
        l.tier,
        l.afterMinutes === 0 ? 'at once' : `${l.afterMinutes} min`,
        l.url,
      ]),
      'No distribution point can serve this client.',
    );
  });
}
