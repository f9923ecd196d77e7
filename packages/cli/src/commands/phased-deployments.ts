import {
  ErrorCode,
  HaltOnFailurePercent,
  MAX_PHASES,
  type ApiClient,
  type CreatePhasedDeploymentRequest,
  type Phase,
  type PhasedDeployment,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, plural } from '../output/format.js';
import type { Printer } from '../output/printer.js';
import { readSettings, scheduleFlags, settingFlags } from './deployment-flags.js';
import { parseSettingInteger } from '../setting-flags.js';
import { parsePhaseSpec } from './schedule-flags.js';
import {
  bar,
  byIdThenName,
  findProgram,
  namingFlags,
  paintState,
  percentText,
} from './software-common.js';

/**
 * Phased deployments: phases over a sequence of collections; the next starts after a success
 * threshold and a soak time; the rollout halts by itself when failures pass a threshold.
 */
export function registerPhasedDeploymentCommands(program: Command, ctx: Ctx): void {
  const phased = program
    .command('phased-deployment')
    .description('phased deployments: a program rolled out collection by collection');
  addList(phased, ctx);
  addShow(phased, ctx);
  addCreate(phased, ctx);
  addHaltResume(phased, ctx);
}

function findPhased(client: ApiClient, value: string): Promise<PhasedDeployment> {
  return byIdThenName(
    '<phased-deployment>',
    value,
    'phased deployment',
    () => client.getPhasedDeployment(value),
    async () => (await client.listPhasedDeployments()).filter((p) => p.name === value),
  );
}

function addList(phased: Command, ctx: Ctx): void {
  action(
    withJson(phased.command('list').description('list phased deployments')),
    async ({ opts }) => {
      const list = await (await ctx.client()).listPhasedDeployments();
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      const { out } = ctx;
      out.table(
        [
          { header: 'ID' },
          { header: 'NAME' },
          { header: 'PROGRAM' },
          { header: 'STATE' },
          { header: 'PHASE', align: 'right' },
          { header: 'HALT AT', align: 'right' },
          { header: 'UPDATED', flex: true },
        ],
        list.map((p) => [
          p.id,
          p.name,
          p.programName,
          paintState(p.state, out.style),
          `${Math.min(p.currentPhase + 1, p.phases.length)}/${p.phases.length}`,
          `${p.haltOnFailurePercent}% failed`,
          humanTime(p.updatedAt, out.now),
        ]),
        'No phased deployments.',
      );
    },
  );
}

/** One line per phase: marker, number, collection, state, success bar, threshold and soak. */
export function renderPhases(p: PhasedDeployment, out: Printer): string[] {
  const width = Math.max(...p.phases.map((ph) => ph.collectionName.length));
  const stateWidth = Math.max(...p.phases.map((ph) => ph.state.length));
  return p.phases.map((ph) => {
    const current = ph.index === p.currentPhase && p.state !== 'completed';
    const marker = current ? '▶' : ' ';
    const state = paintState(ph.state, out.style) + ' '.repeat(stateWidth - ph.state.length);
    return `${marker} ${String(ph.index + 1).padStart(2)}  ${ph.collectionName.padEnd(width)}  ${state}  ${phaseProgress(ph, out)}`.trimEnd();
  });
}

function phaseProgress(ph: Phase, out: Printer): string {
  const needs = `needs ${ph.successPercent}%, soak ${ph.soakMinutes} min`;
  if (ph.summary === null) return `${' '.repeat(20)}  ${needs}`;
  const s = ph.summary;
  const when =
    ph.completedAt !== null
      ? `; done ${humanTime(ph.completedAt, out.now)}`
      : ph.thresholdReachedAt !== null
        ? `; soaking since ${humanTime(ph.thresholdReachedAt, out.now)}`
        : ph.startedAt !== null
          ? `; started ${humanTime(ph.startedAt, out.now)}`
          : '';
  const failed =
    s.failurePercent > 0 ? out.style.red(`${percentText(s.failurePercent)} failed`) : '0% failed';
  return `${out.style.green(bar(s.successPercent, 100, 20))}  ${percentText(s.successPercent)} succeeded, ${failed} of ${plural(s.targeted, 'device')} (${needs})${when}`;
}

function addShow(phased: Command, ctx: Ctx): void {
  action(
    withJson(
      phased
        .command('show')
        .description('a phased deployment and its phases')
        .argument('<phased-deployment>'),
    ),
    async ({ opts, arg }) => {
      const p = await findPhased(await ctx.client(), arg(0));
      if (opts.flag('json')) {
        ctx.out.json(p);
        return;
      }
      printPhased(ctx.out, p);
    },
  );
}

export function printPhased(out: Printer, p: PhasedDeployment): void {
  out.heading(p.name);
  out.fields([
    ['Id', p.id],
    ['Program', p.programName],
    ['State', paintState(p.state, out.style)],
    ['Halts when', `a phase passes ${p.haltOnFailurePercent}% failed`],
    ['Created', humanTime(p.createdAt, out.now)],
    ['Updated', humanTime(p.updatedAt, out.now)],
  ]);
  out.line();
  out.heading(`Phases (${p.phases.length})`);
  for (const line of renderPhases(p, out)) out.line(line);
  if (p.state === 'halted') {
    out.line();
    out.line(out.style.red(`Halted: ${p.haltReason ?? 'no reason given'}`));
    out.note(`Resume with "steward phased-deployment resume ${p.id}".`);
  }
}

function addCreate(phased: Command, ctx: Ctx): void {
  const create = withJson(
    settingFlags(
      scheduleFlags(
        phased
          .command('create')
          .description(
            'roll a program out collection by collection (each phase a required deployment)',
          )
          .requiredOption('--name <name>', 'the rollout name')
          .requiredOption('--program <program>', 'the program (id, name or PACKAGE/PROGRAM)')
          .option(
            '--phase <collection:success%:soak>',
            'a phase, in order: collection, success percent to move on, soak minutes (repeatable)',
            collect,
          )
          .requiredOption(
            '--halt-on-failure <percent>',
            'halt when a phase passes this percent failed',
          ),
      ),
    ),
  );
  action(create, async ({ opts }) => {
    const specs = opts.strings('phase').map((s) => parsePhaseSpec(s));
    if (specs.length === 0)
      throw usageError('give at least one --phase COLLECTION:SUCCESS%:SOAKMINUTES');
    if (specs.length > MAX_PHASES)
      throw usageError(`at most ${MAX_PHASES} phases; got ${specs.length}`);
    const halt = parseSettingInteger(
      HaltOnFailurePercent,
      opts.requiredString('haltOnFailure').replace(/%$/, ''),
      '--halt-on-failure',
    );
    const settings = readSettings(create, opts);
    const client = await ctx.client();
    const program = await findProgram(client, '--program', opts.requiredString('program'));
    const req: CreatePhasedDeploymentRequest = {
      name: opts.requiredString('name'),
      programId: program.id,
      haltOnFailurePercent: halt,
      // Collection ids or names: the site resolves each (COLLECTION_NOT_FOUND otherwise).
      phases: specs.map((s) => ({
        collectionId: s.collection,
        successPercent: s.successPercent,
        soakMinutes: s.soakMinutes,
      })),
      ...(Object.keys(settings).length > 0 ? { deployment: settings } : {}),
    };
    const p = await namingFlags(client.createPhasedDeployment(req), {
      [ErrorCode.COLLECTION_NOT_FOUND]: '--phase',
    });
    if (opts.flag('json')) {
      ctx.out.json(p);
      return;
    }
    ctx.out.line(
      `Phased deployment ${p.name} created (id ${p.id}) with ${plural(p.phases.length, 'phase')}.`,
    );
    ctx.out.note(`Follow it with "steward phased-deployment show ${p.id}".`);
  });
}

function addHaltResume(phased: Command, ctx: Ctx): void {
  const halt = withJson(
    phased
      .command('halt')
      .description('stop the rollout where it is')
      .argument('<phased-deployment>')
      .option('--reason <text>', 'why (shown with the rollout)'),
  );
  action(halt, async ({ opts, arg }) => {
    const client = await ctx.client();
    const existing = await findPhased(client, arg(0));
    const p = await client.haltPhasedDeployment(existing.id, opts.string('reason'));
    if (opts.flag('json')) {
      ctx.out.json(p);
      return;
    }
    ctx.out.line(`Phased deployment ${p.name} halted${p.haltReason ? `: ${p.haltReason}` : ''}.`);
  });
  const resume = withJson(
    phased
      .command('resume')
      .description('continue a halted rollout')
      .argument('<phased-deployment>'),
  );
  action(resume, async ({ opts, arg }) => {
    const client = await ctx.client();
    const existing = await findPhased(client, arg(0));
    const p = await client.resumePhasedDeployment(existing.id);
    if (opts.flag('json')) {
      ctx.out.json(p);
      return;
    }
    ctx.out.line(
      `Phased deployment ${p.name} resumed at phase ${Math.min(p.currentPhase + 1, p.phases.length)}.`,
    );
  });
}
