import {
  ErrorCode,
  MaintenanceWindowOptions,
  withSettingDefaults,
  type ApiClient,
  type MaintenanceWindow,
  type MaintenanceWindowBody,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { describeRecurrence, parseRecurrence, parseWallTime } from './schedule-flags.js';
import { namingFlags, printDeleted, requireSome } from './software-common.js';

/**
 * Maintenance windows on collections (5 minutes to 24 hours, UTC or client local time). A
 * required run starts only if its maximum run time fits in the current window.
 */
export function registerMaintenanceWindowCommands(program: Command, ctx: Ctx): void {
  const mw = program
    .command('maintenance-window')
    .description('maintenance windows: when required deployments may run on a collection');
  addList(mw, ctx);
  addCreate(mw, ctx);
  addUpdate(mw, ctx);
  addDelete(mw, ctx);
}

function windowFlags(cmd: Command): Command {
  return addSettingFlags(
    cmd
      .option('--start <walltime>', 'first start, e.g. 2025-07-01T22:00 (UTC unless --local-time)')
      .option('--recur <spec>', 'daily:N, weekly:N:mon,wed, monthly:N:DAY or none (the default)'),
    MaintenanceWindowOptions,
  );
}

/** The window fields given as flags, checked locally (the declared ones by their declaration). */
function windowFields(cmd: Command, opts: Opts): Partial<MaintenanceWindowBody> {
  const w: Partial<MaintenanceWindowBody> = readSettingFlags(cmd, MaintenanceWindowOptions);
  const name = opts.string('name');
  if (name !== undefined) w.name = name;
  const start = opts.string('start');
  if (start !== undefined) w.start = parseWallTime(start, '--start');
  const recur = opts.string('recur');
  if (recur !== undefined) w.recurrence = parseRecurrence(recur, '--recur');
  return w;
}

/** A window by id, or by name when exactly one window has it. */
async function findWindow(client: ApiClient, value: string): Promise<MaintenanceWindow> {
  const all = await client.listMaintenanceWindows();
  const byId = all.find((w) => w.id === value);
  if (byId !== undefined) return byId;
  const named = all.filter((w) => w.name === value);
  const [only] = named;
  if (named.length === 1 && only !== undefined) return only;
  if (named.length > 1)
    throw new CliError(
      'AMBIGUOUS',
      `${named.length} maintenance windows are named ${value}; use an id (${named.map((w) => w.id).join(', ')})`,
    );
  throw new CliError('NOT_FOUND', `no maintenance window with id or name ${value}`);
}

function addList(mw: Command, ctx: Ctx): void {
  const list = withJson(
    mw
      .command('list')
      .description('list maintenance windows')
      .option('--collection <name-or-id>', 'of this collection only'),
  );
  action(list, async ({ opts }) => {
    // An id or a name: the site resolves it.
    const collection = opts.string('collection');
    const windows = await namingFlags((await ctx.client()).listMaintenanceWindows(collection), {
      [ErrorCode.COLLECTION_NOT_FOUND]: `--collection ${collection ?? ''}`,
    });
    if (opts.flag('json')) {
      ctx.out.json(windows);
      return;
    }
    ctx.out.table(
      [
        { header: 'ID' },
        { header: 'NAME' },
        { header: 'COLLECTION' },
        { header: 'START' },
        { header: 'DURATION', align: 'right' },
        { header: 'TIME' },
        { header: 'APPLIES TO' },
        { header: 'ENABLED' },
        { header: 'RECURRENCE', flex: true },
      ],
      windows.map((w) => [
        w.id,
        w.name,
        w.collectionName,
        w.start,
        `${w.durationMinutes} min`,
        w.timeBase === 'local' ? 'local' : 'UTC',
        w.appliesTo === 'all' ? 'all deployments' : 'software updates',
        w.enabled ? 'yes' : ctx.out.style.yellow('no'),
        describeRecurrence(w.recurrence),
      ]),
      'No maintenance windows.',
    );
  });
}

function addCreate(mw: Command, ctx: Ctx): void {
  const create = withJson(
    windowFlags(
      mw
        .command('create')
        .description('add a maintenance window to a collection')
        .argument('<collection>')
        .requiredOption('--name <name>', 'what the window is'),
    ),
  );
  action(create, async ({ opts, arg }) => {
    const { name, start, recurrence, ...settings } = windowFields(create, opts);
    if (start === undefined) throw usageError('--start is required');
    const body: MaintenanceWindowBody = {
      name: name ?? opts.requiredString('name'),
      start,
      recurrence: recurrence ?? { kind: 'none' },
      ...withSettingDefaults(MaintenanceWindowOptions, settings),
    };
    const created = await (await ctx.client()).createMaintenanceWindow(arg(0), body);
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Maintenance window ${created.name} (id ${created.id}) on ${created.collectionName}: ${created.durationMinutes} min from ${created.start} ${created.timeBase === 'local' ? 'local time' : 'UTC'}, ${describeRecurrence(created.recurrence)}.`,
    );
  });
}

function addUpdate(mw: Command, ctx: Ctx): void {
  const update = withJson(
    windowFlags(
      mw
        .command('update')
        .description('change a maintenance window')
        .argument('<window>', 'id, or name when unique')
        .option('--name <name>', 'rename it'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const w = windowFields(update, opts);
    requireSome(w);
    const client = await ctx.client();
    const existing = await findWindow(client, arg(0));
    const updated = await client.updateMaintenanceWindow(existing.id, w);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Maintenance window ${updated.name} updated.`);
  });
}

function addDelete(mw: Command, ctx: Ctx): void {
  action(
    withJson(
      mw
        .command('delete')
        .description('delete a maintenance window')
        .argument('<window>', 'id, or name when unique'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const w = await findWindow(client, arg(0));
      await client.deleteMaintenanceWindow(w.id);
      printDeleted(ctx, opts.flag('json'), 'Maintenance window', w.name);
    },
  );
}
