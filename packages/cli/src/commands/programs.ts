import {
  ProgramOptions,
  type ApiClient,
  type PlatformRequirements,
  type Program,
  type ProgramBody,
  type UpdateProgramRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { parseList, type Opts } from '../options.js';
import { humanTime, orDash } from '../output/format.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { parseCodeList } from './schedule-flags.js';
import { findProgram, printDeleted, requireSome, valueOrCleared } from './software-common.js';

export function registerProgramCommands(program: Command, ctx: Ctx): void {
  const prog = program
    .command('program')
    .description('programs: the command lines a package runs, with their requirements');
  addList(prog, ctx);
  addShow(prog, ctx);
  addCreate(prog, ctx);
  addUpdate(prog, ctx);
  addDelete(prog, ctx);
  addDisable(prog, ctx);
}

function programFlags(cmd: Command): Command {
  // --run-as and --max-run-minutes: generated from the protocol's declaration.
  return addSettingFlags(cmd, ProgramOptions)
    .option('--command <line>', 'command line, run by /bin/sh -c')
    .option('--working-dir <path>', "relative to the package root (default '.')")
    .option('--success-codes <list>', 'exit codes meaning success (default 0), e.g. 0,1')
    .option('--reboot-codes <list>', 'exit codes meaning success, restart needed, e.g. 3010')
    .option('--os-family <id>', 'os-release ID or ID_LIKE, e.g. debian (repeatable)', collect)
    .option('--min-os-version <version>', 'minimum os-release VERSION_ID')
    .option('--arch <arch>', 'uname -m value, e.g. x86_64 (repeatable)', collect)
    .option('--min-disk-mb <n>', 'free disk needed')
    .option('--min-memory-mb <n>', 'memory needed')
    .option('--depends-on <program>', 'run this program first (id, name or PACKAGE/PROGRAM)')
    .option('--description <text>', 'what the program does');
}

/** Requirement flags over `base`: only the ones given change; undefined when none is given. */
function requirementsFrom(
  opts: Opts,
  base: PlatformRequirements,
): PlatformRequirements | undefined {
  const given: PlatformRequirements = {};
  const families = parseList(opts.strings('osFamily'));
  if (families.length > 0) given.osFamilies = families;
  const minOs = opts.string('minOsVersion');
  if (minOs !== undefined) given.minOsVersion = minOs;
  const arch = parseList(opts.strings('arch'));
  if (arch.length > 0) given.architectures = arch;
  const disk = opts.int('minDiskMb', { min: 0 });
  if (disk !== undefined) given.minFreeDiskMb = disk;
  const mem = opts.int('minMemoryMb', { min: 0 });
  if (mem !== undefined) given.minMemoryMb = mem;
  return Object.keys(given).length > 0 ? { ...base, ...given } : undefined;
}

/** The program fields given as flags (everything but the name and the dependency). */
function programFields(cmd: Command, opts: Opts, base: PlatformRequirements): UpdateProgramRequest {
  const req: UpdateProgramRequest = {};
  const command = opts.string('command');
  if (command !== undefined) req.commandLine = command;
  const wd = opts.string('workingDir');
  if (wd !== undefined) req.workingDirectory = wd;
  Object.assign(req, readSettingFlags(cmd, ProgramOptions));
  const success = opts.string('successCodes');
  if (success !== undefined) req.successExitCodes = parseCodeList(success, '--success-codes');
  if (req.successExitCodes?.length === 0)
    throw usageError('--success-codes needs at least one exit code');
  const reboot = opts.string('rebootCodes');
  if (reboot !== undefined) req.rebootExitCodes = parseCodeList(reboot, '--reboot-codes');
  const overlap = req.rebootExitCodes?.filter((c) => req.successExitCodes?.includes(c)) ?? [];
  if (overlap.length > 0)
    throw usageError(`exit code ${overlap.join(', ')} cannot be both a success and a reboot code`);
  const requirements = opts.flag('clearRequirements') ? {} : requirementsFrom(opts, base);
  if (requirements !== undefined) req.requirements = requirements;
  const description = opts.string('description');
  if (description !== undefined) req.description = description;
  return req;
}

async function dependency(
  client: ApiClient,
  value: string | null | undefined,
): Promise<string | null | undefined> {
  if (value === null || value === undefined) return value;
  return (await findProgram(client, '--depends-on', value)).id;
}

function addList(prog: Command, ctx: Ctx): void {
  const list = withJson(
    prog
      .command('list')
      .description('list programs')
      .option('--package <name-or-id>', 'of this package only'),
  );
  action(list, async ({ opts }) => {
    const programs = await (await ctx.client()).listPrograms(opts.string('package'));
    if (opts.flag('json')) {
      ctx.out.json(programs);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'ID' },
        { header: 'NAME' },
        { header: 'PACKAGE' },
        { header: 'RUN AS' },
        { header: 'MAX', align: 'right' },
        { header: 'STATE' },
        { header: 'COMMAND', flex: true },
      ],
      programs.map((p) => [
        p.id,
        p.name,
        p.packageName,
        p.runAs,
        `${p.maxRunMinutes} min`,
        p.disabled ? out.style.red('disabled') : 'enabled',
        p.commandLine,
      ]),
      'No programs.',
    );
  });
}

export function describeRequirements(r: PlatformRequirements): string {
  const parts: string[] = [];
  if (r.osFamilies !== undefined && r.osFamilies.length > 0)
    parts.push(`OS ${r.osFamilies.join('/')}`);
  if (r.minOsVersion !== undefined) parts.push(`version >= ${r.minOsVersion}`);
  if (r.architectures !== undefined && r.architectures.length > 0)
    parts.push(`arch ${r.architectures.join('/')}`);
  if (r.minFreeDiskMb !== undefined) parts.push(`${r.minFreeDiskMb} MB free disk`);
  if (r.minMemoryMb !== undefined) parts.push(`${r.minMemoryMb} MB memory`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

async function printProgram(ctx: Ctx, client: ApiClient, p: Program): Promise<void> {
  const { out } = ctx;
  const dep =
    p.dependsOnProgramId === null
      ? '-'
      : await client.getProgram(p.dependsOnProgramId).then(
          (d) => `${d.packageName}/${d.name} (${d.id})`,
          () => p.dependsOnProgramId ?? '-',
        );
  out.heading(`${p.packageName}/${p.name}`);
  out.fields([
    ['Id', p.id],
    ['State', p.disabled ? out.style.red('disabled (stopped everywhere)') : 'enabled'],
    ['Command line', p.commandLine],
    ['Working directory', p.workingDirectory],
    ['Run as', p.runAs],
    ['Maximum run time', `${p.maxRunMinutes} min`],
    ['Success exit codes', p.successExitCodes.join(', ') || '-'],
    ['Reboot exit codes', p.rebootExitCodes.join(', ') || '-'],
    ['Requirements', describeRequirements(p.requirements)],
    ['Runs first', dep],
    ['Description', orDash(p.description)],
    ['Created', humanTime(p.createdAt, out.now)],
    ['Updated', humanTime(p.updatedAt, out.now)],
  ]);
}

function addShow(prog: Command, ctx: Ctx): void {
  action(
    withJson(prog.command('show').description('a program').argument('<program>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const p = await findProgram(client, '<program>', arg(0));
      if (opts.flag('json')) {
        ctx.out.json(p);
        return;
      }
      await printProgram(ctx, client, p);
    },
  );
}

function addCreate(prog: Command, ctx: Ctx): void {
  const create = withJson(
    programFlags(
      prog
        .command('create')
        .description('add a program to a package')
        .argument('<package>')
        .option('--name <name>', 'the program name (required)'),
    ),
  );
  action(create, async ({ opts, arg }) => {
    const name = opts.requiredString('name');
    const fields = programFields(create, opts, {});
    if (fields.commandLine === undefined) throw usageError('--command is required');
    const client = await ctx.client();
    const dependsOn = await dependency(client, opts.string('dependsOn'));
    const body: ProgramBody = {
      ...fields,
      name,
      commandLine: fields.commandLine,
      ...(dependsOn !== undefined ? { dependsOnProgramId: dependsOn } : {}),
    };
    const created = await client.createProgram(arg(0), body);
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(`Program ${created.packageName}/${created.name} created (id ${created.id}).`);
  });
}

function addUpdate(prog: Command, ctx: Ctx): void {
  const update = withJson(
    programFlags(
      prog
        .command('update')
        .description('change a program; requirement flags change only those requirements')
        .argument('<program>')
        .option('--name <name>', 'rename the program')
        .option('--no-depends-on', 'no longer run another program first')
        .option('--clear-requirements', 'remove every platform requirement'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const client = await ctx.client();
    const existing = await findProgram(client, '<program>', arg(0));
    const req = programFields(update, opts, existing.requirements);
    const name = opts.string('name');
    if (name !== undefined) req.name = name;
    const dependsOn = await dependency(client, valueOrCleared(update, 'dependsOn'));
    if (dependsOn !== undefined) req.dependsOnProgramId = dependsOn;
    requireSome(req);
    const updated = await client.updateProgram(existing.id, req);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Program ${updated.packageName}/${updated.name} updated.`);
  });
}

function addDelete(prog: Command, ctx: Ctx): void {
  action(
    withJson(prog.command('delete').description('delete a program').argument('<program>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const p = await findProgram(client, '<program>', arg(0));
      await client.deleteProgram(p.id);
      printDeleted(ctx, opts.flag('json'), 'Program', `${p.packageName}/${p.name}`);
    },
  );
}

function addDisable(prog: Command, ctx: Ctx): void {
  const verbs = [
    ['disable', true, 'stop the program everywhere at once, mandatory runs included'],
    ['enable', false, 'allow the program to run again'],
  ] as const;
  for (const [verb, disabled, description] of verbs) {
    action(
      withJson(prog.command(verb).description(description).argument('<program>')),
      async ({ opts, arg }) => {
        const client = await ctx.client();
        const p = await findProgram(client, '<program>', arg(0));
        const updated = await client.setProgramDisabled(p.id, disabled);
        if (opts.flag('json')) {
          ctx.out.json(updated);
          return;
        }
        ctx.out.line(
          disabled
            ? `Program ${updated.packageName}/${updated.name} disabled: running agents stop it now, the others on their next contact.`
            : `Program ${updated.packageName}/${updated.name} enabled.`,
        );
      },
    );
  }
}
