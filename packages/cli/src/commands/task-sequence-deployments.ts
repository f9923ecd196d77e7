import {
  ops,
  type TaskSequenceDeployment,
  type TaskSequenceRun,
  type TaskSequenceRuns,
  type UpdateTaskSequenceDeploymentRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { humanTime, orDash } from '../output/format.js';

const PURPOSES = ['available', 'required'] as const;
const AVAILABLE_TO = ['clients', 'media-and-pxe', 'clients-media-and-pxe'] as const;
const RERUN = ['never', 'if-failed', 'always'] as const;

/** The settings flags `deploy` and `deployment set` share (the API's fields, ADR 0076). */
function settingsFlags(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'the deployment name (default: "<sequence> to <collection>")')
    .option('--available-to <where>', AVAILABLE_TO.join(', '))
    .option('--available-at <time>', 'offered from this time (ISO 8601)')
    .option('--deadline <time>', 'required: when it runs (ISO 8601)')
    .option('--rerun <when>', RERUN.join(', '))
    .option('--ignore-windows', 'start a required run outside maintenance windows too')
    .option('--pxe-password <password>', 'asked at the PXE prompt of an available deployment')
    .option('--enable', 'enable the deployment')
    .option('--disable', 'disable the deployment (it stays, nothing runs)');
}

function settingsOf(opts: Opts, now: Date): UpdateTaskSequenceDeploymentRequest {
  if (opts.flag('enable') && opts.flag('disable'))
    throw usageError('give one of --enable and --disable');
  const name = opts.string('name');
  const availableTo = opts.oneOf('availableTo', AVAILABLE_TO);
  const availableAt = opts.time('availableAt', now);
  const deadline = opts.time('deadline', now);
  const rerun = opts.oneOf('rerun', RERUN);
  const pxePassword = opts.string('pxePassword');
  return {
    ...(name !== undefined ? { name } : {}),
    ...(availableTo !== undefined ? { availableTo } : {}),
    ...(availableAt !== undefined ? { availableAt } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(rerun !== undefined ? { rerun } : {}),
    ...(opts.flag('ignoreWindows') ? { honorWindows: false } : {}),
    ...(pxePassword !== undefined ? { pxePassword } : {}),
    ...(opts.flag('enable') ? { enabled: true } : {}),
    ...(opts.flag('disable') ? { enabled: false } : {}),
  };
}

function printDeployment(ctx: Ctx, d: TaskSequenceDeployment): void {
  const now = ctx.io.now();
  const c = d.counts;
  ctx.out.fields([
    ['Deployment', `${d.name} (${d.id})`],
    ['Task sequence', `${d.sequenceName} version ${String(d.version)}`],
    ['Collection', d.collectionName],
    ['Purpose', d.purpose],
    ['Available to', d.availableTo],
    ['Available at', d.availableAt ? humanTime(d.availableAt, now) : 'now'],
    ['Deadline', d.deadline ? humanTime(d.deadline, now) : '-'],
    ['Maintenance windows', d.honorWindows ? 'honoured' : 'ignored'],
    ['Rerun', d.rerun],
    ['Enabled', d.enabled ? 'yes' : 'no'],
    ['PXE password', d.pxePasswordSet ? 'set' : '-'],
    ['Boot image', orDash(d.bootImageId ?? '')],
    [
      'Runs',
      `${String(c.targeted)} targeted, ${String(c.running + c.restarting)} running, ${String(c.succeeded)} succeeded, ${String(c.failed)} failed`,
    ],
  ]);
}

function printRuns(ctx: Ctx, r: TaskSequenceRuns): void {
  const now = ctx.io.now();
  ctx.out.table(
    [
      { header: 'DEVICE' },
      { header: 'STATE' },
      { header: 'STEP' },
      { header: 'CURRENT', flex: true },
      { header: 'UPDATED' },
    ],
    r.runs.map((x) => [
      x.deviceName,
      x.state,
      x.stepCount ? `${String(x.stepNumber)}/${String(x.stepCount)}` : '-',
      orDash(x.currentStep ?? ''),
      x.updatedAt ? humanTime(x.updatedAt, now) : '-',
    ]),
    'No members.',
  );
}

/** One device's run: where it is, then its step log (ADR 0084). */
function printRun(ctx: Ctx, r: TaskSequenceRun): void {
  const now = ctx.io.now();
  ctx.out.fields([
    ['Device', r.deviceName],
    ['State', r.state],
    ['Step', r.stepCount ? `${String(r.stepNumber)} of ${String(r.stepCount)}` : '-'],
    ['Current step', orDash(r.currentStep ?? '')],
    ['Started', r.progress ? humanTime(r.progress.startedAt, now) : '-'],
    ['Updated', r.updatedAt ? humanTime(r.updatedAt, now) : '-'],
  ]);
  ctx.out.table(
    [
      { header: '#' },
      { header: 'STEP' },
      { header: 'KIND' },
      { header: 'STATUS' },
      { header: 'EXIT' },
      { header: 'STARTED' },
      { header: 'DETAIL', flex: true },
    ],
    (r.progress?.history ?? []).map((h) => [
      String(h.number),
      h.name,
      orDash(h.kind),
      h.continued ? `${h.status} (continued)` : h.status,
      h.exitCode === null ? '-' : String(h.exitCode),
      humanTime(h.startedAt, now),
      orDash([h.reason, h.outputTail?.trim().split('\n').at(-1)].filter(Boolean).join(': ')),
    ]),
    'No step has run yet.',
  );
}

function addDeploymentList(dep: Command, ctx: Ctx): void {
  const list = withJson(
    dep
      .command('list')
      .description('task-sequence deployments with the state counts of their runs')
      .option('--sequence <sequence>', 'of this task sequence (id)')
      .option('--collection <collection>', 'to this collection (id)'),
  );
  action(list, async ({ opts }) => {
    const sequenceId = opts.string('sequence');
    const collectionId = opts.string('collection');
    const page = await (
      await ctx.client()
    ).call(ops.taskSequenceDeployments.list, {
      query: {
        ...(sequenceId !== undefined ? { sequenceId } : {}),
        ...(collectionId !== undefined ? { collectionId } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [
        { header: 'ID' },
        { header: 'NAME', flex: true },
        { header: 'PURPOSE' },
        { header: 'TO' },
        { header: 'ENABLED' },
        { header: 'DONE' },
        { header: 'FAILED' },
      ],
      page.items.map((d) => [
        d.id,
        d.name,
        d.purpose,
        d.availableTo,
        d.enabled ? 'yes' : 'no',
        String(d.counts.succeeded),
        String(d.counts.failed),
      ]),
      'No task-sequence deployments. Deploy one with `steward task-sequence deploy`.',
    );
  });
}

/**
 * `steward task-sequence deploy` and `steward task-sequence deployment ...` (issue 11, ADR
 * 0076): deployments of task sequences to collections and their live progress.
 */
export function registerTaskSequenceDeploymentCommands(ts: Command, ctx: Ctx): void {
  const deploy = withJson(
    settingsFlags(
      ts
        .command('deploy')
        .description('deploy a task sequence to a collection')
        .argument('<sequence>')
        .requiredOption('--collection <collection>', 'the target collection (id or name)')
        .requiredOption('--purpose <purpose>', PURPOSES.join(' or '))
        .option('--version <n>', 'the version to run (default: the newest)'),
    ),
  );
  action(deploy, async ({ opts, arg }) => {
    const purpose = opts.oneOf('purpose', PURPOSES) ?? 'available';
    const version = opts.int('version', { min: 1 });
    const settings = settingsOf(opts, ctx.io.now());
    const d = await (
      await ctx.client()
    ).call(ops.taskSequenceDeployments.create, {
      body: {
        ...settings,
        sequenceId: arg(0),
        collectionId: opts.requiredString('collection'),
        purpose,
        ...(version !== undefined ? { version } : {}),
      },
    });
    if (opts.flag('json')) ctx.out.json(d);
    else printDeployment(ctx, d);
  });

  const dep = ts.command('deployment').description('task-sequence deployments and their progress');
  addDeploymentList(dep, ctx);
  action(
    withJson(dep.command('show').description('one deployment').argument('<deployment>')),
    async ({ opts, arg }) => {
      const d = await (
        await ctx.client()
      ).call(ops.taskSequenceDeployments.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(d);
      else printDeployment(ctx, d);
    },
  );
  const set = withJson(
    settingsFlags(
      dep
        .command('set')
        .description('change a deployment')
        .argument('<deployment>')
        .option('--purpose <purpose>', PURPOSES.join(' or '))
        .option('--clear-pxe-password', 'remove the PXE password'),
    ),
  );
  action(set, async ({ opts, arg }) => {
    const purpose = opts.oneOf('purpose', PURPOSES);
    const body: UpdateTaskSequenceDeploymentRequest = {
      ...settingsOf(opts, ctx.io.now()),
      ...(purpose !== undefined ? { purpose } : {}),
      ...(opts.flag('clearPxePassword') ? { pxePassword: null } : {}),
    };
    const d = await (
      await ctx.client()
    ).call(ops.taskSequenceDeployments.update, { params: { id: arg(0) }, body });
    if (opts.flag('json')) ctx.out.json(d);
    else printDeployment(ctx, d);
  });
  action(
    withJson(
      dep
        .command('runs')
        .description("every member's run: state, step n of m, current step")
        .argument('<deployment>'),
    ),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.taskSequenceDeployments.runs, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(r);
      else printRuns(ctx, r);
    },
  );
  action(
    withJson(
      dep
        .command('run')
        .description("one device's run with its step log (status, times, exit code, output)")
        .argument('<deployment>')
        .argument('<device>', "device id or name, or a boot-environment run's computer id"),
    ),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.taskSequenceDeployments.run, { params: { id: arg(0), deviceId: arg(1) } });
      if (opts.flag('json')) ctx.out.json(r);
      else printRun(ctx, r);
    },
  );
  action(
    dep.command('delete').description('delete a deployment').argument('<deployment>'),
    async ({ arg }) => {
      await (
        await ctx.client()
      ).call(ops.taskSequenceDeployments.delete, { params: { id: arg(0) } });
      ctx.out.note(`task-sequence deployment ${arg(0)} deleted`);
    },
  );
}
