import {
  DEPLOYMENT_STATES,
  ErrorCode,
  type ApiClient,
  type DeploymentBody,
  type DeploymentDeviceState,
  type DeploymentPurpose,
  type UpdateDeploymentRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { interruptController } from '../io.js';
import { plural } from '../output/format.js';
import { ESC } from '../output/terminal-text.js';
import {
  readSettings,
  scheduleFlags,
  settingFlags,
  type DeploymentSettings,
} from './deployment-flags.js';
import {
  DEVICE_COLUMNS,
  describeSchedule,
  deploymentSettled,
  deviceRow,
  printDeployment,
  purposeLabel,
  renderSummaryChart,
} from './deployment-views.js';
import { fetchPages, paging } from './devices.js';
import { parseWallTime } from './schedule-flags.js';
import {
  findDeployment,
  findProgram,
  lookupIds,
  namingFlags,
  percentText,
  printDeleted,
  requireSome,
} from './software-common.js';

const PURPOSES: readonly DeploymentPurpose[] = ['available', 'required'];
const WATCH_MS = 2000;

export function registerDeploymentCommands(program: Command, ctx: Ctx): void {
  const dep = program
    .command('deployment')
    .description('deployments: a program offered or required on a collection, and their status');
  addList(dep, ctx);
  addShow(dep, ctx);
  addCreate(dep, ctx);
  addUpdate(dep, ctx);
  addDelete(dep, ctx);
  addEnable(dep, ctx);
  addRerun(dep, ctx);
  addAssign(dep, ctx);
  addStatus(dep, ctx);
  addDevices(dep, ctx);
}

/** Purpose and schedule agree: required runs need a trigger, available ones take none. */
export function checkSchedule(purpose: DeploymentPurpose | undefined, s: DeploymentSettings): void {
  if (purpose === 'available' && s.triggers !== undefined)
    throw usageError(
      'an available deployment is offered in the Software Center: --asap, --at and --on-enrolment are for required ones',
    );
  if (purpose === 'required' && s.triggers === undefined)
    throw usageError('a required deployment needs --asap, --at WALLTIME or --on-enrolment');
}

function addList(dep: Command, ctx: Ctx): void {
  const list = withJson(
    dep
      .command('list')
      .description('list deployments')
      .option('--collection <name-or-id>', 'to this collection')
      .option('--program <program>', 'of this program')
      .option('--package <name-or-id>', "of this package's programs"),
  );
  action(list, async ({ opts }) => {
    const client = await ctx.client();
    // The site resolves a collection or package name itself; programs are found by id only.
    const collection = opts.string('collection');
    const pkg = opts.string('package');
    const programName = opts.string('program');
    const program =
      programName === undefined
        ? undefined
        : (await findProgram(client, '--program', programName)).id;
    const deployments = await namingFlags(
      client.listDeployments({
        ...(collection !== undefined ? { collection } : {}),
        ...(program !== undefined ? { program } : {}),
        ...(pkg !== undefined ? { package: pkg } : {}),
      }),
      {
        [ErrorCode.COLLECTION_NOT_FOUND]: `--collection ${collection ?? ''}`,
        [ErrorCode.PACKAGE_NOT_FOUND]: `--package ${pkg ?? ''}`,
      },
    );
    if (opts.flag('json')) {
      ctx.out.json(deployments);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'ID' },
        { header: 'NAME' },
        { header: 'PROGRAM' },
        { header: 'COLLECTION' },
        { header: 'PURPOSE' },
        { header: 'ENABLED' },
        { header: 'SUCCESS', align: 'right' },
        { header: 'SCHEDULE', flex: true },
      ],
      deployments.map((d) => [
        d.id,
        d.name,
        `${d.packageName}/${d.programName}`,
        d.collectionName,
        purposeLabel(d),
        d.enabled ? 'yes' : out.style.yellow('no'),
        d.summary === undefined ? '-' : percentText(d.summary.successPercent),
        describeSchedule(d),
      ]),
      'No deployments.',
    );
  });
}

function addShow(dep: Command, ctx: Ctx): void {
  action(
    withJson(
      dep.command('show').description('a deployment and its status').argument('<deployment>'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const d = await findDeployment(client, '<deployment>', arg(0));
      if (opts.flag('json')) {
        ctx.out.json(d);
        return;
      }
      printDeployment(ctx.out, d);
      const summary = d.summary ?? (await client.deploymentSummary(d.id));
      ctx.out.line();
      ctx.out.heading('Status');
      for (const line of renderSummaryChart(summary, ctx.out.style)) ctx.out.line(line);
    },
  );
}

function addCreate(dep: Command, ctx: Ctx): void {
  const create = withJson(
    settingFlags(
      scheduleFlags(
        dep
          .command('create')
          .description('deploy a program to a collection')
          .requiredOption('--program <program>', 'the program (id, name or PACKAGE/PROGRAM)')
          .requiredOption('--collection <name-or-id>', 'the target collection')
          .requiredOption('--purpose <purpose>', 'available (Software Center) or required')
          .option('--name <name>', 'a name (default: program and collection)'),
      ),
    ),
  );
  action(create, async ({ opts }) => {
    const purpose = opts.oneOf('purpose', PURPOSES) ?? 'required';
    const settings = readSettings(create, opts);
    checkSchedule(purpose, settings);
    const client = await ctx.client();
    const collectionId = opts.requiredString('collection'); // id or name: the site resolves it
    const program = await findProgram(client, '--program', opts.requiredString('program'));
    const name = opts.string('name');
    const body: DeploymentBody = {
      ...settings,
      ...(name !== undefined ? { name } : {}),
      programId: program.id,
      collectionId,
      purpose,
    };
    const d = await namingFlags(client.createDeployment(body), {
      [ErrorCode.COLLECTION_NOT_FOUND]: `--collection ${collectionId}`,
    });
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    ctx.out.line(
      `Deployment ${d.name} created (id ${d.id}): ${purposeLabel(d)}, ${describeSchedule(d)}.`,
    );
    ctx.out.note(`Follow it with "steward deployment status ${d.id} --watch".`);
  });
}

function addUpdate(dep: Command, ctx: Ctx): void {
  const update = withJson(
    settingFlags(
      scheduleFlags(
        dep
          .command('update')
          .description('change a deployment; schedule flags replace its schedule')
          .argument('<deployment>')
          .option('--name <name>', 'rename it')
          .option('--purpose <purpose>', 'available or required'),
      ),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const purpose = opts.oneOf('purpose', PURPOSES);
    const req: UpdateDeploymentRequest = readSettings(update, opts);
    // A required deployment keeps its schedule when none is given: only "available" is checked.
    if (purpose === 'available') checkSchedule(purpose, req);
    if (purpose !== undefined) req.purpose = purpose;
    const name = opts.string('name');
    if (name !== undefined) req.name = name;
    requireSome(req);
    const client = await ctx.client();
    const existing = await findDeployment(client, '<deployment>', arg(0));
    const d = await client.updateDeployment(existing.id, req);
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    ctx.out.line(`Deployment ${d.name} updated; its devices are told to evaluate it now.`);
  });
}

function addDelete(dep: Command, ctx: Ctx): void {
  action(
    withJson(dep.command('delete').description('delete a deployment').argument('<deployment>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const d = await findDeployment(client, '<deployment>', arg(0));
      await client.deleteDeployment(d.id);
      printDeleted(ctx, opts.flag('json'), 'Deployment', d.name);
    },
  );
}

function addEnable(dep: Command, ctx: Ctx): void {
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    action(
      withJson(
        dep
          .command(verb)
          .description(
            enabled ? 'enable a deployment' : 'disable a deployment (devices stop running it)',
          )
          .argument('<deployment>'),
      ),
      async ({ opts, arg }) => {
        const client = await ctx.client();
        const existing = await findDeployment(client, '<deployment>', arg(0));
        const d = await client.updateDeployment(existing.id, { enabled });
        if (opts.flag('json')) {
          ctx.out.json(d);
          return;
        }
        ctx.out.line(`Deployment ${d.name} ${enabled ? 'enabled' : 'disabled'}.`);
      },
    );
  }
}

function addRerun(dep: Command, ctx: Ctx): void {
  const rerun = withJson(
    dep
      .command('rerun')
      .description('run the deployment again (each device once, by its rerun behaviour)')
      .argument('<deployment>')
      .option('--device <name-or-id>', 'only this device (repeatable)', collect),
  );
  action(rerun, async ({ opts, arg }) => {
    const client = await ctx.client();
    const existing = await findDeployment(client, '<deployment>', arg(0));
    const devices = await lookupIds('--device', opts.strings('device'), (v) => client.getDevice(v));
    const d = await client.rerunDeployment(existing.id, devices.length > 0 ? devices : undefined);
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    const who = devices.length > 0 ? plural(devices.length, 'device') : 'every targeted device';
    ctx.out.line(
      `Deployment ${d.name} rerun on ${who} (revision ${d.revision}; rerun behaviour "${d.rerun}").`,
    );
  });
}

function addAssign(dep: Command, ctx: Ctx): void {
  const assign = withJson(
    dep
      .command('assign')
      .description('add a one-off run at a time (same time base as the deployment)')
      .argument('<deployment>')
      .requiredOption('--at <walltime>', 'e.g. 2025-07-01T22:00'),
  );
  action(assign, async ({ opts, arg }) => {
    const at = parseWallTime(opts.requiredString('at'), '--at');
    const client = await ctx.client();
    const existing = await findDeployment(client, '<deployment>', arg(0));
    const d = await client.addExtraAssignment(existing.id, at);
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    ctx.out.line(
      `Deployment ${d.name} also runs at ${at} (${d.timeBase === 'local' ? 'client local time' : 'UTC'}).`,
    );
  });
}

function addStatus(dep: Command, ctx: Ctx): void {
  const status = withJson(
    dep
      .command('status')
      .description('state counts of a deployment as a bar chart')
      .argument('<deployment>')
      .option('--watch', 'refresh every 2 s until no device is waiting or running (Ctrl-C stops)'),
  );
  action(status, async ({ opts, arg }) => {
    const client = await ctx.client();
    const d = await findDeployment(client, '<deployment>', arg(0));
    if (opts.flag('watch')) return watch(ctx, client, d.id, d.name, opts.flag('json'));
    const summary = await client.deploymentSummary(d.id);
    if (opts.flag('json')) {
      ctx.out.json(summary);
      return;
    }
    ctx.out.heading(d.name);
    for (const line of renderSummaryChart(summary, ctx.out.style)) ctx.out.line(line);
  });
}

/**
 * Redraws the chart in place on a terminal; elsewhere prints it again only when it changed.
 * With --json: one summary per line, each poll.
 */
async function watch(ctx: Ctx, client: ApiClient, id: string, name: string, json: boolean) {
  const { io, out } = ctx;
  const interrupt = interruptController(io);
  const tty = io.stdout.isTTY === true;
  let drawn = 0;
  let last = '';
  try {
    for (;;) {
      const summary = await client.deploymentSummary(id);
      if (json) out.jsonLine(summary);
      else {
        const text =
          [out.style.bold(name), ...renderSummaryChart(summary, out.style)].join('\n') + '\n';
        if (tty && drawn > 0) out.write(`${ESC}[${drawn}A${ESC}[J`);
        if (tty || text !== last) out.write(text);
        drawn = text.split('\n').length - 1;
        last = text;
      }
      if (deploymentSettled(summary)) {
        if (!json) out.note('No device is waiting or running.');
        return;
      }
      await io.sleep(WATCH_MS, interrupt.signal);
      if (interrupt.signal.aborted) return;
    }
  } finally {
    interrupt.dispose();
  }
}

function addDevices(dep: Command, ctx: Ctx): void {
  const devices = withJson(
    dep
      .command('devices')
      .description('per-device state of a deployment (the drill-down)')
      .argument('<deployment>')
      .option('--state <state>', `only devices in this state: ${DEPLOYMENT_STATES.join(', ')}`)
      .option('--overdue', 'only devices whose last run is older than the recurrence')
      .option('--search <text>', 'hostnames containing this')
      .option('--limit <n>', 'at most n rows (1-1000)')
      .option('--offset <n>', 'skip the first n rows')
      .option('--all', 'every row (walks all pages)'),
  );
  action(devices, async ({ opts, arg }) => {
    const state = opts.oneOf('state', DEPLOYMENT_STATES);
    const search = opts.string('search');
    const page = paging(opts);
    const client = await ctx.client();
    const d = await findDeployment(client, '<deployment>', arg(0));
    const res = await fetchPages<DeploymentDeviceState>(page, (offset, limit) =>
      client.deploymentDevices(d.id, {
        offset,
        ...(limit !== undefined ? { limit } : {}),
        ...(state !== undefined ? { state } : {}),
        ...(opts.flag('overdue') ? { overdue: true } : {}),
        ...(search !== undefined ? { search } : {}),
      }),
    );
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    const { out } = ctx;
    out.table(
      DEVICE_COLUMNS,
      res.items.map((r) => deviceRow(r, out.style, out.now)),
      'No devices.',
    );
    if (res.items.length < res.total)
      out.note(`Showing ${res.items.length} of ${res.total}; use --all or --offset for more.`);
  });
}
