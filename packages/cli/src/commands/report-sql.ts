import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ops,
  REPORT_CATEGORY_TITLES,
  REPORT_LIMITS,
  ReportCategory,
  type CustomReportPatch,
  type Report,
  type ReportCell,
  type ReportParameter,
  type ReportParameterType,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { streamResponse } from './export.js';

const CATEGORIES = ReportCategory.anyOf.map((l) => l.const);
const PARAMETER_TYPES: readonly ReportParameterType[] = ['text', 'integer', 'datetime', 'days'];

/**
 * Reports with visible SQL (ADR 0053): `report list|show|sql|run` and `report custom
 * create|edit|delete`, beside the older fixed reports of `report`.
 */
export function addSqlReportCommands(report: Command, ctx: Ctx): void {
  addList(report, ctx);
  addShow(report, ctx);
  addSql(report, ctx);
  addRun(report, ctx);
  const custom = report
    .command('custom')
    .description('custom reports: your own read-only SQL over the report views');
  addCustomCreate(custom, ctx);
  addCustomEdit(custom, ctx);
  addCustomDelete(custom, ctx);
}

async function getReport(ctx: Ctx, id: string): Promise<Report> {
  return (await ctx.client()).call(ops.sqlReports.get, { params: { id } });
}

function addList(report: Command, ctx: Ctx): void {
  action(
    withJson(report.command('list').description('every report with visible SQL, by category')),
    async ({ opts }) => {
      const reports = await (await ctx.client()).call(ops.sqlReports.list, {});
      if (opts.flag('json')) {
        ctx.out.json(reports);
        return;
      }
      ctx.out.table(
        [
          { header: 'ID' },
          { header: 'CATEGORY' },
          { header: 'KIND' },
          { header: 'TITLE', flex: true },
        ],
        reports.map((r) => [
          r.id,
          REPORT_CATEGORY_TITLES[r.category],
          r.builtIn ? 'built-in' : 'custom',
          r.title,
        ]),
        'No reports.',
      );
    },
  );
}

function addShow(report: Command, ctx: Ctx): void {
  action(
    withJson(report.command('show <id>').description("a report's parameters and its SQL")),
    async ({ opts, arg }) => {
      const r = await getReport(ctx, arg(0));
      if (opts.flag('json')) {
        ctx.out.json(r);
        return;
      }
      ctx.out.fields([
        ['Report', `${r.title} (${r.id})`],
        ['Category', REPORT_CATEGORY_TITLES[r.category]],
        ['Kind', r.builtIn ? 'built-in' : `custom, by ${r.createdBy ?? '-'}`],
        ['Refreshes', `every ${String(r.refreshMinutes)} min`],
        ['Time limit', `${String(r.timeoutSeconds)} s`],
        [
          'Parameters',
          r.parameters.length === 0
            ? '-'
            : r.parameters
                .map((p) => `${p.name} (${p.type}${p.required ? ', required' : ''})`)
                .join(', '),
        ],
      ]);
      ctx.out.line();
      ctx.out.line(r.sql);
    },
  );
}

function addSql(report: Command, ctx: Ctx): void {
  action(
    report.command('sql <id>').description("prints a report's SQL only (to copy or edit)"),
    async ({ arg }) => {
      ctx.out.line((await getReport(ctx, arg(0))).sql);
    },
  );
}

/** `--param name=value` flags as the run's parameter values. */
function parameterValues(opts: Opts): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of opts.strings('param')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--param takes name=value, not "${pair}"`);
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return values;
}

function cellText(c: ReportCell): string {
  return c === null ? '-' : String(c);
}

function addRun(report: Command, ctx: Ctx): void {
  const cmd = withJson(
    report
      .command('run <id>')
      .description('runs a report read-only and prints its rows (or streams them as CSV)')
      .option('--param <name=value>', 'a parameter value (repeatable)', collect)
      .option(
        '--row-limit <n>',
        `at most n rows (${REPORT_LIMITS.rowLimit.min}-${REPORT_LIMITS.rowLimit.max})`,
      )
      .option('--csv', 'every row (up to the largest row limit) as CSV on stdout'),
  );
  action(cmd, async ({ opts, arg }) => {
    const id = arg(0);
    const parameters = parameterValues(opts);
    const client = await ctx.client();
    if (opts.flag('csv')) {
      await streamResponse(
        ctx,
        await client.reportExportResponse(id, {
          format: 'csv',
          parameters: JSON.stringify(parameters),
        }),
      );
      return;
    }
    const rowLimit = opts.int('rowLimit', REPORT_LIMITS.rowLimit);
    const result = await client.call(ops.sqlReports.run, {
      params: { id },
      body: { parameters, ...(rowLimit !== undefined ? { rowLimit } : {}) },
    });
    if (opts.flag('json')) {
      ctx.out.json(result);
      return;
    }
    ctx.out.table(
      result.columns.map((c) => ({ header: c.toUpperCase() })),
      result.rows.map((r) => r.map(cellText)),
      'No rows.',
    );
    if (result.truncated)
      ctx.out.note(
        `Only the first ${String(result.rowLimit)} rows: raise --row-limit or use --csv.`,
      );
  });
}

/** `--parameter name:type[:label][:required]`. */
function parseParameter(spec: string): ReportParameter {
  const [name = '', type = '', label, required] = spec.split(':');
  const known = PARAMETER_TYPES.find((t) => t === type);
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name) || known === undefined)
    throw usageError(
      `--parameter takes name:type[:label][:required] with type ${PARAMETER_TYPES.join(', ')}, not "${spec}"`,
    );
  if (required !== undefined && required !== 'required')
    throw usageError(`--parameter ${spec}: the fourth part may only be "required"`);
  return { name, type: known, label: label || name, required: required === 'required' };
}

function withDefinitionFlags(cmd: Command): Command {
  return cmd
    .option('--title <text>', 'the title')
    .option('--description <text>', 'what it shows')
    .option('--category <category>', CATEGORIES.join(', '))
    .option('--sql <sql>', 'the SQL: one SELECT over the v_* views, parameters as :name')
    .option('--sql-file <file>', 'read the SQL from a file')
    .option(
      '--parameter <spec>',
      'name:type[:label][:required] (repeatable; replaces all)',
      collect,
    )
    .option(
      '--refresh-minutes <n>',
      `refresh interval in the console (${REPORT_LIMITS.refreshMinutes.min}-${REPORT_LIMITS.refreshMinutes.max})`,
    )
    .option(
      '--timeout-seconds <n>',
      `time limit of a run (${REPORT_LIMITS.timeoutSeconds.min}-${REPORT_LIMITS.timeoutSeconds.max})`,
    );
}

async function definitionFlags(ctx: Ctx, opts: Opts): Promise<CustomReportPatch> {
  const file = opts.string('sqlFile');
  if (file !== undefined && opts.string('sql') !== undefined)
    throw usageError('give --sql or --sql-file, not both');
  const sql =
    file !== undefined ? await readFile(resolve(ctx.io.cwd, file), 'utf8') : opts.string('sql');
  const specs = opts.strings('parameter');
  const title = opts.string('title');
  const description = opts.string('description');
  const category = opts.oneOf('category', CATEGORIES);
  const refreshMinutes = opts.int('refreshMinutes', REPORT_LIMITS.refreshMinutes);
  const timeoutSeconds = opts.int('timeoutSeconds', REPORT_LIMITS.timeoutSeconds);
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(sql !== undefined ? { sql } : {}),
    ...(specs.length > 0 ? { parameters: specs.map(parseParameter) } : {}),
    ...(refreshMinutes !== undefined ? { refreshMinutes } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}

function addCustomCreate(custom: Command, ctx: Ctx): void {
  const cmd = withJson(
    withDefinitionFlags(
      custom
        .command('create <id>')
        .description('adds a custom report (--from copies a report to start from)')
        .option('--from <report-id>', 'copy this report (its SQL, parameters and chart)'),
    ),
  );
  action(cmd, async ({ opts, arg }) => {
    const id = arg(0);
    const from = opts.string('from');
    const base = from !== undefined ? await getReport(ctx, from) : undefined;
    const given = await definitionFlags(ctx, opts);
    const sql = given.sql ?? base?.sql;
    if (sql === undefined) throw usageError('give --sql, --sql-file or --from');
    const made = await (
      await ctx.client()
    ).call(ops.sqlReports.createCustom, {
      body: {
        id,
        title: given.title ?? (base ? `${base.title} (copy)` : id),
        description: given.description ?? base?.description ?? '',
        category: given.category ?? 'custom',
        sql,
        parameters: given.parameters ?? base?.parameters ?? [],
        chart: base?.chart ?? null,
        ...(given.refreshMinutes !== undefined ? { refreshMinutes: given.refreshMinutes } : {}),
        ...(given.timeoutSeconds !== undefined ? { timeoutSeconds: given.timeoutSeconds } : {}),
      },
    });
    if (opts.flag('json')) ctx.out.json(made);
    else ctx.out.line(`Created report ${made.id}: steward report run ${made.id}`);
  });
}

function addCustomEdit(custom: Command, ctx: Ctx): void {
  const cmd = withJson(
    withDefinitionFlags(custom.command('edit <id>').description('changes a custom report')),
  );
  action(cmd, async ({ opts, arg }) => {
    const patch = await definitionFlags(ctx, opts);
    if (Object.keys(patch).length === 0) throw usageError('nothing to change: give a flag');
    const r = await (
      await ctx.client()
    ).call(ops.sqlReports.updateCustom, {
      params: { id: arg(0) },
      body: patch,
    });
    if (opts.flag('json')) ctx.out.json(r);
    else ctx.out.line(`Changed report ${r.id}.`);
  });
}

function addCustomDelete(custom: Command, ctx: Ctx): void {
  action(custom.command('delete <id>').description('removes a custom report'), async ({ arg }) => {
    await (await ctx.client()).call(ops.sqlReports.deleteCustom, { params: { id: arg(0) } });
    ctx.out.line(`Deleted report ${arg(0)}.`);
  });
}
