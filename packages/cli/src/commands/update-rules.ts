import {
  HaltOnFailurePercent,
  integerLimits,
  ops,
  PhaseSettings,
  UpdateRuleScheduleOptions,
  UpdateRuleTemplateOptions,
  type UpdateRule,
  type UpdateRuleBody,
  type UpdateRuleFilter,
  type UpdateRuleRun,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';

/** The halt threshold's flag comes from its declaration (ADR 0016). */
const PhasingFlags = { haltOnFailurePercent: HaltOnFailurePercent };

function runText(r: UpdateRuleRun | null): string {
  if (r === null) return 'never';
  const counts = `${String(r.matched)} matched, ${String(r.added)} added`;
  return `${r.outcome} (${r.trigger}, ${r.startedAt}): ${counts}${r.error ? `; ${r.error}` : ''}`;
}

function filterText(f: UpdateRuleFilter): string {
  const parts = [
    f.sourceIds ? `sources ${f.sourceIds.join(', ')}` : '',
    f.classifications ? f.classifications.join('/') : '',
    f.minSeverity ? `severity >= ${f.minSeverity}` : '',
    f.minAgeDays !== undefined ? `${String(f.minAgeDays)}+ days old` : '',
    f.text ? `"${f.text}"` : '',
    f.cve ?? '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join('; ') : 'every current update';
}

function print(ctx: Ctx, json: boolean, r: UpdateRule): void {
  if (json) {
    ctx.out.json(r);
    return;
  }
  const p = r.phased;
  ctx.out.fields([
    ['Rule', `${r.name} (${r.id})`],
    ['Filter', filterText(r.filter)],
    [
      'Group',
      r.groupMode === 'new-group' ? 'a new group each run' : (r.groupName ?? '(first run)'),
    ],
    ['Collections', r.collectionIds.join(', ')],
    [
      'Phased',
      p
        ? `yes: ${String(p.successPercent)}% success, soak ${String(p.soakMinutes)} min, halt at ${String(p.haltOnFailurePercent)}% failed`
        : 'no',
    ],
    ['Enabled', r.enabled ? 'yes' : 'no (on demand only)'],
    ['After sync', r.runAfterSync ? 'yes' : 'no'],
    ['Every', r.intervalHours > 0 ? `${String(r.intervalHours)} h` : '-'],
    ['Available after', `${String(r.availableAfterHours)} h`],
    ['Deadline after', r.deadlineAfterHours > 0 ? `${String(r.deadlineAfterHours)} h` : 'none'],
    ['Last run', runText(r.lastRun)],
  ]);
}

function filterFlags(cmd: Command): Command {
  return cmd
    .option('--source <id>', 'an update source (one product and release; repeatable)', collect)
    .option('--classification <c>', 'security, updates or other (repeatable)', collect)
    .option('--min-severity <s>', 'at least this severe: critical, high, medium, low, unknown')
    .option('--min-age-days <days>', 'only updates a sync first saw at least this long ago')
    .option('--text <text>', "text in the source or a binary package's name")
    .option('--cve <id>', 'only updates that fix this CVE');
}

/** The filter the flags give, or undefined when none was given. */
function readFilter(o: Opts): UpdateRuleFilter | undefined {
  const sources = o.strings('source');
  const classes = o.strings('classification');
  const severity = o.string('minSeverity');
  const age = o.int('minAgeDays', { min: 0, max: 3650 });
  const text = o.string('text');
  const cve = o.string('cve');
  // Values are checked by the server against the filter's schema (one declaration).
  const f = {
    ...(sources.length > 0 ? { sourceIds: sources } : {}),
    ...(classes.length > 0 ? { classifications: classes } : {}),
    ...(severity !== undefined ? { minSeverity: severity } : {}),
    ...(age !== undefined ? { minAgeDays: age } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(cve !== undefined ? { cve } : {}),
  };
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- enum-valued flags are validated by the server's schema of the filter, which answers with a clear refusal
  return Object.keys(f).length > 0 ? (f as UpdateRuleFilter) : undefined;
}

function ruleFlags(cmd: Command): Command {
  filterFlags(cmd)
    .option('--collection <id>', 'a target collection; with --phased, the phases in order', collect)
    .option('--description <text>', 'what the rule is for')
    .option('--phased', 'deploy phase by phase over the collections (pre-production first)')
    .option('--not-phased', 'deploy to every collection at once')
    .option('--success-percent <percent>', PhaseSettings.successPercent.help)
    .option('--soak-minutes <minutes>', PhaseSettings.soakMinutes.help);
  addSettingFlags(cmd, PhasingFlags);
  addSettingFlags(cmd, UpdateRuleScheduleOptions);
  return addSettingFlags(cmd, UpdateRuleTemplateOptions);
}

function readPhasing(cmd: Command, o: Opts): UpdateRuleBody['phased'] | undefined {
  if (o.flag('notPhased')) return null;
  if (!o.flag('phased')) return undefined;
  const halt = readSettingFlags(cmd, PhasingFlags).haltOnFailurePercent;
  return {
    successPercent:
      o.int('successPercent', integerLimits(PhaseSettings.successPercent)) ??
      PhaseSettings.successPercent.default,
    soakMinutes:
      o.int('soakMinutes', integerLimits(PhaseSettings.soakMinutes)) ??
      PhaseSettings.soakMinutes.default,
    haltOnFailurePercent: halt ?? HaltOnFailurePercent.default,
  };
}

/** The body fields the flags give (what a create sends, or a PATCH changes). */
function readRule(cmd: Command, o: Opts) {
  const collections = o.strings('collection');
  const filter = readFilter(o);
  const phased = readPhasing(cmd, o);
  const description = o.string('description');
  return {
    ...(filter !== undefined ? { filter } : {}),
    ...(collections.length > 0 ? { collectionIds: collections } : {}),
    ...(phased !== undefined ? { phased } : {}),
    ...(description !== undefined ? { description } : {}),
    ...readSettingFlags(cmd, UpdateRuleScheduleOptions),
    ...readSettingFlags(cmd, UpdateRuleTemplateOptions),
  };
}

function listRules(rule: Command, ctx: Ctx): void {
  action(withJson(rule.command('list').description('automatic deployment rules')), async (i) => {
    const page = await (await ctx.client()).call(ops.updateRules.listUpdateRules, {});
    if (i.opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [{ header: 'NAME' }, { header: 'ENABLED' }, { header: 'LAST RUN', flex: true }],
      page.items.map((r) => [r.name, r.enabled ? 'yes' : 'no', runText(r.lastRun)]),
      'No automatic deployment rules. Add one with `steward update rule add`.',
    );
  });
  const runs = rule
    .command('runs')
    .description("a rule's runs, newest first")
    .argument('<rule>')
    .option('--limit <n>', 'at most this many (1-200)');
  action(withJson(runs), async ({ opts, arg }) => {
    const limit = opts.int('limit', { min: 1, max: 200 });
    const page = await (
      await ctx.client()
    ).call(ops.updateRules.listUpdateRuleRuns, {
      params: { id: arg(0) },
      query: limit !== undefined ? { limit } : {},
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [{ header: 'STARTED' }, { header: 'TRIGGER' }, { header: 'RESULT', flex: true }],
      page.items.map((r) => [r.startedAt, r.trigger, runText(r)]),
      'The rule has not run yet.',
    );
  });
  const preview = filterFlags(
    rule.command('preview').description('what a filter matches now (newest first)'),
  );
  action(withJson(preview), async ({ opts }) => {
    const p = await (
      await ctx.client()
    ).call(ops.updateRules.previewUpdateRule, { body: readFilter(opts) ?? {} });
    if (opts.flag('json')) {
      ctx.out.json(p);
      return;
    }
    ctx.out.table(
      [{ header: 'PACKAGE' }, { header: 'VERSION' }, { header: 'ID', flex: true }],
      p.items.map((u) => [u.package, u.version, u.id]),
      'The filter matches no current update.',
    );
    ctx.out.line(`${String(p.total)} matching.`);
  });
}

/** `add` and `set`: the same flags, generated from the declarations. */
function addRuleEdits(rule: Command, ctx: Ctx): void {
  const add = ruleFlags(
    rule
      .command('add')
      .description('add an automatic deployment rule')
      .argument('<name>')
      .option('--new-group', 'a new update group each run (default: one group that grows)')
      .option('--group <group>', 'the update group to grow (default: the rule makes its own)'),
  );
  action(withJson(add), async ({ opts, arg }) => {
    const fields = readRule(add, opts);
    const group = opts.string('group');
    if (fields.collectionIds === undefined) throw usageError('--collection is required');
    const r = await (
      await ctx.client()
    ).call(ops.updateRules.createUpdateRule, {
      body: {
        name: arg(0),
        filter: {},
        ...fields,
        collectionIds: fields.collectionIds,
        groupMode: opts.flag('newGroup') ? 'new-group' : 'existing-group',
        ...(group !== undefined ? { groupId: group } : {}),
      },
    });
    print(ctx, opts.flag('json'), r);
  });

  const set = ruleFlags(
    rule
      .command('set')
      .description('change a rule (its next run uses the change)')
      .argument('<rule>')
      .option('--name <name>', 'a new name'),
  );
  action(withJson(set), async ({ opts, arg }) => {
    const name = opts.string('name');
    const body = { ...readRule(set, opts), ...(name !== undefined ? { name } : {}) };
    if (Object.keys(body).length === 0) throw usageError('nothing to change');
    const r = await (
      await ctx.client()
    ).call(ops.updateRules.updateUpdateRule, { params: { id: arg(0) }, body });
    print(ctx, opts.flag('json'), r);
  });
}

/** `steward update rule ...`: automatic deployment rules (issue 10, ADR 0072). */
export function addUpdateRuleCommands(parent: Command, ctx: Ctx): void {
  const rule = parent
    .command('rule')
    .description('automatic deployment rules: a catalog filter deployed by itself');
  listRules(rule, ctx);
  addRuleEdits(rule, ctx);

  action(
    withJson(rule.command('show').description('one rule').argument('<rule>')),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.updateRules.getUpdateRule, { params: { id: arg(0) } });
      print(ctx, opts.flag('json'), r);
    },
  );

  action(
    withJson(rule.command('run').description('run a rule now').argument('<rule>')),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.updateRules.runUpdateRule, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(r);
      else ctx.out.line(`Run ${runText(r)}.`);
    },
  );

  action(
    rule
      .command('delete')
      .description('remove a rule (its groups and deployments stay)')
      .argument('<rule>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.updateRules.deleteUpdateRule, { params: { id: arg(0) } });
    },
  );
}
