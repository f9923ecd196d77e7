import {
  ops,
  placedSteps,
  sequenceTree,
  type SequenceNode,
  TASK_SEQUENCE_KINDS,
  type TargetVariables,
  TaskSequenceBody,
  type TaskSequence,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { readJsonDocument } from '../json-file.js';
import { humanTime, orDash } from '../output/format.js';
import { registerTaskSequenceDeploymentCommands } from './task-sequence-deployments.js';

/** The step tree as indented lines: groups with their steps under them. */
function treeLines(nodes: readonly SequenceNode[], depth = 0): string[] {
  return nodes.flatMap((n) => {
    const flags = [
      n.enabled ? '' : 'disabled',
      n.continueOnError ? 'continue on error' : '',
      n.condition ? 'conditional' : '',
      n.type === 'step' && n.timeoutSeconds !== undefined
        ? `timeout ${String(n.timeoutSeconds)} s`
        : '',
    ].filter(Boolean);
    const head = `${'  '.repeat(depth)}${n.type === 'group' ? '[group] ' : ''}${n.name}${n.type === 'step' ? ` (${n.kind})` : ''}${flags.length ? ` [${flags.join(', ')}]` : ''}`;
    return n.type === 'group' ? [head, ...treeLines(n.children, depth + 1)] : [head];
  });
}

function printSequence(ctx: Ctx, s: TaskSequence): void {
  ctx.out.fields([
    ['Task sequence', `${s.name} (${s.id})`],
    ['Kind', s.kind],
    ['Version', String(s.version)],
    ['Description', orDash(s.description)],
    ['Steps', String(placedSteps(sequenceTree(s.steps)).length)],
    ['Updated', `${humanTime(s.updatedAt, ctx.io.now())} by ${s.updatedBy}`],
    [
      'Variables',
      Object.entries(s.variables)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') || '-',
    ],
  ]);
  const lines = treeLines(sequenceTree(s.steps));
  ctx.out.heading('Steps');
  if (lines.length === 0) ctx.out.line('  No steps.');
  for (const l of lines) ctx.out.line(`  ${l}`);
}

function parseAssignments(list: string[]): TargetVariables['variables'] {
  return list.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`"${pair}" is not NAME=VALUE`);
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

function addVariables(ts: Command, ctx: Ctx): void {
  const vars = withJson(
    ts
      .command('variables')
      .description(
        "a collection's or a device's task-sequence variables (they override a sequence's)",
      )
      .option('--collection <collection>', 'the collection (id or name)')
      .option('--device <device>', 'the device (id or name)')
      .option('--set <NAME=VALUE>', 'replace the variables with these (repeat)', collect)
      .option('--clear', 'remove them all'),
  );
  action(vars, async ({ opts }) => {
    const collection = opts.string('collection');
    const device = opts.string('device');
    if ((collection === undefined) === (device === undefined))
      throw usageError('give one of --collection and --device');
    const set = opts.strings('set');
    const client = await ctx.client();
    const params = { id: collection ?? device ?? '' };
    const body = { variables: opts.flag('clear') ? [] : parseAssignments(set) };
    const writing = opts.flag('clear') || set.length > 0;
    const result =
      collection !== undefined
        ? writing
          ? await client.call(ops.taskSequences.setCollectionVariables, { params, body })
          : await client.call(ops.taskSequences.collectionVariables, { params })
        : writing
          ? await client.call(ops.taskSequences.setDeviceVariables, { params, body })
          : await client.call(ops.taskSequences.deviceVariables, { params });
    if (opts.flag('json')) {
      ctx.out.json(result);
      return;
    }
    ctx.out.table(
      [{ header: 'NAME' }, { header: 'VALUE', flex: true }],
      result.variables.map((v) => [v.name, v.value]),
      'No variables.',
    );
  });
}

/** `steward task-sequence ...`: task sequences of OS deployment (issue 11, ADR 0069). */
export function registerTaskSequenceCommands(program: Command, ctx: Ctx): void {
  const ts = program
    .command('task-sequence')
    .description('task sequences: ordered steps run unattended, in the boot image and the full OS');

  const list = withJson(
    ts
      .command('list')
      .description('task sequences')
      .option('--search <text>', 'part of the name')
      .option('--kind <kind>', TASK_SEQUENCE_KINDS.join(', ')),
  );
  action(list, async ({ opts }) => {
    const search = opts.string('search');
    const given = opts.string('kind');
    const kind = TASK_SEQUENCE_KINDS.find((k) => k === given);
    if (given !== undefined && kind === undefined) throw usageError(`unknown kind ${given}`);
    const page = await (
      await ctx.client()
    ).call(ops.taskSequences.list, {
      query: {
        ...(search !== undefined ? { search } : {}),
        ...(kind !== undefined ? { kind } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'KIND' },
        { header: 'VERSION' },
        { header: 'STEPS' },
        { header: 'UPDATED', flex: true },
      ],
      page.items.map((s) => [
        s.name,
        s.kind,
        String(s.version),
        String(s.stepCount),
        humanTime(s.updatedAt, now),
      ]),
      'No task sequences. Build one in the console, or `steward task-sequence create --file <seq.json>`.',
    );
  });

  action(
    withJson(
      ts
        .command('show')
        .description('one task sequence and its steps')
        .argument('<sequence>')
        .option('--version <n>', 'an older version'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const version = opts.int('version', { min: 1 });
      const s =
        version === undefined
          ? await client.call(ops.taskSequences.get, { params: { id: arg(0) } })
          : await client.call(ops.taskSequences.version, { params: { id: arg(0), version } });
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      printSequence(ctx, s);
    },
  );

  for (const verb of ['create', 'update'] as const) {
    const cmd = withJson(
      (verb === 'create'
        ? ts.command('create').description('create a task sequence from a JSON file (- for stdin)')
        : ts
            .command('update')
            .description('save a new version from a JSON file')
            .argument('<sequence>')
      ).requiredOption('--file <seq.json>', 'name, kind, steps and variables (the API body)'),
    );
    action(cmd, async ({ opts, arg }) => {
      const body = await readJsonDocument(
        ctx.io,
        opts.string('file') ?? '-',
        TaskSequenceBody,
        'a valid task sequence',
      );
      const client = await ctx.client();
      const s =
        verb === 'create'
          ? await client.call(ops.taskSequences.create, { body })
          : await client.call(ops.taskSequences.update, { params: { id: arg(0) }, body });
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      printSequence(ctx, s);
    });
  }

  action(
    withJson(
      ts
        .command('versions')
        .description('the saved versions of a task sequence')
        .argument('<sequence>'),
    ),
    async ({ opts, arg }) => {
      const list = await (
        await ctx.client()
      ).call(ops.taskSequences.versions, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      const now = ctx.io.now();
      ctx.out.table(
        [{ header: 'VERSION' }, { header: 'STEPS' }, { header: 'SAVED', flex: true }],
        list.map((v) => [
          String(v.version),
          String(v.stepCount),
          `${humanTime(v.createdAt, now)} by ${v.createdBy}`,
        ]),
        'No versions.',
      );
    },
  );

  action(
    ts
      .command('delete')
      .description('delete a task sequence (not while deployed)')
      .argument('<sequence>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.taskSequences.delete, { params: { id: arg(0) } });
      ctx.out.note(`task sequence ${arg(0)} deleted`);
    },
  );

  addVariables(ts, ctx);
  registerTaskSequenceDeploymentCommands(ts, ctx);
}
