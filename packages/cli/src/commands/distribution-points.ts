import type {
  DistributionPoint,
  DistributionPointRegistration,
  UpdateDistributionPointRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, orDash, utcTime } from '../output/format.js';
import {
  formatBytes,
  namesOf,
  onOff,
  paintState,
  printDeleted,
  requireSome,
  yesNo,
} from './software-common.js';
import { printDpContent } from './reports.js';
import { registerDpPxeCommands } from './dp-pxe.js';
import { registerDpMulticastCommands } from './dp-multicast.js';
import { registerDpStateMigrationCommands } from './user-state.js';

/** What the DP machine runs; `--data` and `--public-url` are filled in when given. */
export function dpServerCommand(
  token: string,
  opts: { data?: string | undefined; publicUrl?: string | undefined } = {},
): string {
  return [
    'steward server --roles dp',
    `--data ${opts.data ?? '/var/lib/steward-dp'}`,
    `--dp-token ${token}`,
    `--public-url ${opts.publicUrl ?? 'https://HOST:8444'}`,
  ].join(' ');
}

export function registerDistributionPointCommands(program: Command, ctx: Ctx): void {
  const dp = program
    .command('dp')
    .description('distribution points: servers clients download content from');
  addList(dp, ctx);
  addShow(dp, ctx);
  addCreate(dp, ctx);
  addUpdate(dp, ctx);
  addDelete(dp, ctx);
  addToken(dp, ctx);
  addContent(dp, ctx);
  registerDpPxeCommands(dp, ctx);
  registerDpMulticastCommands(dp, ctx);
  registerDpStateMigrationCommands(dp, ctx);
}

function addList(dp: Command, ctx: Ctx): void {
  action(withJson(dp.command('list').description('list distribution points')), async ({ opts }) => {
    const list = await (await ctx.client()).listDistributionPoints();
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'NAME' },
        { header: 'STATE' },
        { header: 'PROTECTED' },
        { header: 'PACKAGES', align: 'right' },
        { header: 'STORED', align: 'right' },
        { header: 'LAST SEEN' },
        { header: 'URL', flex: true },
      ],
      list.map((d) => [
        d.isSiteServer ? `${d.name} ${out.style.dim('(site server)')}` : d.name,
        paintState(d.state, out.style),
        yesNo(d.protected),
        `${d.packagesInstalled}/${d.packagesTargeted}`,
        formatBytes(d.storedBytes),
        humanTime(d.lastSeenAt, out.now),
        orDash(d.url),
      ]),
      'No distribution points.',
    );
  });
}

function addShow(dp: Command, ctx: Ctx): void {
  action(
    withJson(dp.command('show').description('a distribution point').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const d = await client.getDistributionPoint(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(d);
        return;
      }
      const [groups, boundaryGroups] = await Promise.all([
        d.groupIds.length > 0 ? client.listDpGroups() : [],
        d.boundaryGroupIds.length > 0 ? client.listBoundaryGroups() : [],
      ]);
      printDp(ctx, d, namesOf(d.groupIds, groups), namesOf(d.boundaryGroupIds, boundaryGroups));
    },
  );
}

function printDp(ctx: Ctx, d: DistributionPoint, groups: string, boundaryGroups: string): void {
  const { out } = ctx;
  out.heading(d.name);
  out.fields([
    ['Id', d.id],
    ['State', paintState(d.state, out.style)],
    ['Site server', yesNo(d.isSiteServer)],
    ['Protected', d.protected ? 'yes: serves only its own boundary groups' : 'no'],
    ['URL', orDash(d.url)],
    ['Version', orDash(d.version)],
    ['Last seen', humanTime(d.lastSeenAt, out.now)],
    ['Packages', `${d.packagesInstalled} installed of ${d.packagesTargeted} targeted`],
    ['Stored', formatBytes(d.storedBytes)],
    ['DP groups', groups],
    ['Boundary groups', boundaryGroups],
    ['Description', orDash(d.description)],
  ]);
  if (d.state === 'pending')
    out.note(
      `Not registered yet: run the command printed by "steward dp create" on the DP machine (a new token: "steward dp token ${d.name}").`,
    );
}

/** The registration token, once, and the command to run on the DP machine. */
function printRegistration(
  ctx: Ctx,
  r: DistributionPointRegistration,
  opts: { data?: string | undefined; publicUrl?: string | undefined },
): void {
  const { out } = ctx;
  out.line(
    `Registration token for ${r.distributionPoint.name} (valid until ${utcTime(r.expiresAt)}, shown once):`,
  );
  out.line();
  out.line(`  ${r.registrationToken}`);
  out.line();
  out.line('On the distribution point machine, run:');
  out.line();
  out.line(`  ${dpServerCommand(r.registrationToken, opts)}`);
  if (opts.publicUrl === undefined)
    out.note(
      'Replace HOST with the name clients reach the DP by (or pass --public-url to dp create/token).',
    );
}

function registrationFlags(cmd: Command): Command {
  return cmd
    .option('--public-url <url>', "the DP's HTTPS URL, only to fill in the printed command")
    .option('--data <dir>', "the DP's data folder, only to fill in the printed command");
}

function addCreate(dp: Command, ctx: Ctx): void {
  const create = withJson(
    registrationFlags(
      dp
        .command('create')
        .description('create a distribution point and print its registration command')
        .argument('<name>')
        .option('--protected', 'serve only clients of its own boundary groups')
        .option('--description <text>', 'where it is, what it is for'),
    ),
  );
  action(create, async ({ opts, arg }) => {
    const description = opts.string('description');
    const r = await (
      await ctx.client()
    ).createDistributionPoint({
      name: arg(0),
      ...(opts.flag('protected') ? { protected: true } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    ctx.out.line(`Distribution point ${r.distributionPoint.name} created.`);
    printRegistration(ctx, r, { data: opts.string('data'), publicUrl: opts.string('publicUrl') });
  });
}

function addUpdate(dp: Command, ctx: Ctx): void {
  const update = withJson(
    dp
      .command('update')
      .description('change a distribution point')
      .argument('<name-or-id>')
      .option('--new-name <name>', 'rename it')
      .option('--description <text>', 'where it is, what it is for')
      .option('--protected', 'serve only clients of its own boundary groups')
      .option('--no-protected', 'serve every client'),
  );
  action(update, async ({ opts, arg }) => {
    const req: UpdateDistributionPointRequest = {};
    const name = opts.string('newName');
    if (name !== undefined) req.name = name;
    const description = opts.string('description');
    if (description !== undefined) req.description = description;
    const prot = onOff(update, 'protected');
    if (prot !== undefined) req.protected = prot;
    requireSome(req);
    const d = await (await ctx.client()).updateDistributionPoint(arg(0), req);
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    ctx.out.line(`Distribution point ${d.name} updated.`);
  });
}

function addDelete(dp: Command, ctx: Ctx): void {
  action(
    withJson(
      dp.command('delete').description('delete a distribution point').argument('<name-or-id>'),
    ),
    async ({ opts, arg }) => {
      await (await ctx.client()).deleteDistributionPoint(arg(0));
      printDeleted(ctx, opts.flag('json'), 'Distribution point', arg(0));
    },
  );
}

function addToken(dp: Command, ctx: Ctx): void {
  const token = withJson(
    registrationFlags(
      dp
        .command('token')
        .description('issue a new registration token (the previous one stops working)')
        .argument('<name-or-id>'),
    ),
  );
  action(token, async ({ opts, arg }) => {
    const r = await (await ctx.client()).renewDistributionPointToken(arg(0));
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    printRegistration(ctx, r, { data: opts.string('data'), publicUrl: opts.string('publicUrl') });
  });
}

function addContent(dp: Command, ctx: Ctx): void {
  action(
    withJson(
      dp
        .command('content')
        .description('the packages a distribution point holds or should hold')
        .argument('<name-or-id>'),
    ),
    async ({ opts, arg }) => {
      const rows = await (await ctx.client()).distributionPointContent(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(rows);
        return;
      }
      printDpContent(ctx, rows, { showDp: false });
    },
  );
}
