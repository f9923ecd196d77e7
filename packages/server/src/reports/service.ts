import {
  AppError,
  BUILT_IN_REPORTS,
  builtInReport,
  ConflictError,
  ErrorCode,
  InputError,
  isRecord,
  NotFoundError,
  REPORT_LIMITS,
  REPORT_VIEWS,
  ReportChart,
  ReportParameter,
  UnavailableError,
  withoutTrailingSemicolons,
  type CustomReportInput,
  type CustomReportPatch,
  type Report,
  type ReportResult,
  type ReportRunRequest,
} from '@steward/protocol';
import { Type } from '@sinclair/typebox';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { bindParameters, checkParameterDeclarations, checkReportSql } from './parameters.js';
import {
  deleteCustomReport,
  findCustomReport,
  insertCustomReport,
  listCustomReports,
  updateCustomReport,
  type CustomReportRow,
} from './repository.js';
import { sandboxFor, type ReportSandbox, type SandboxOutcome } from './sandbox.js';

const E = ErrorCode;
const BUILT_IN = new Map(BUILT_IN_REPORTS.map((d) => [d.id, builtInReport(d)]));
const VIEW_NAMES = REPORT_VIEWS.map((v) => v.name);

function toReport(r: CustomReportRow): Report {
  const where = { table: 'report_custom' as const, id: r.id };
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    category: r.category,
    sql: r.sql,
    parameters: parseJsonColumn(Type.Array(ReportParameter), r.parameters, {
      ...where,
      column: 'parameters',
    }),
    chart:
      r.chart === null
        ? null
        : parseJsonColumn(ReportChart, r.chart, { ...where, column: 'chart' }),
    refreshMinutes: r.refresh_minutes,
    timeoutSeconds: r.timeout_seconds,
    builtIn: false,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

/** SQLite reports a taken primary key with its own code (PostgreSQL: 23505, a unique violation). */
function isPrimaryKeyViolation(err: unknown): boolean {
  return isRecord(err) && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A refused or failed run as the error the API answers (stable codes, the database's words). */
function runError(outcome: Exclude<SandboxOutcome, { ok: true }>): AppError {
  switch (outcome.kind) {
    case 'invalid':
      return new InputError(E.REPORT_SQL_INVALID, `the report's SQL failed: ${outcome.message}`);
    case 'refused':
      return new InputError(
        E.REPORT_SQL_REFUSED,
        `refused: reports only read the report views (${outcome.message})`,
      );
    case 'timeout':
      return new AppError(
        400,
        E.REPORT_TIMEOUT,
        `the report ran past its time limit and was stopped (${outcome.message})`,
      );
    case 'unavailable':
      return new UnavailableError(
        E.REPORT_SANDBOX_UNAVAILABLE,
        `reports cannot run: ${outcome.message}`,
      );
  }
}

/**
 * Reports with visible SQL (issue 10, ADRs 0053 and 0054): built-in reports declared in
 * protocol, custom reports stored by administrators, both run read-only in the sandbox.
 */
export class ReportService {
  private readonly sandbox: ReportSandbox;

  constructor(private readonly ctx: SiteContext) {
    this.sandbox = sandboxFor(ctx.db);
  }

  async list(actor: Actor): Promise<Report[]> {
    authorize(actor, 'read');
    const custom = await listCustomReports(this.ctx.db.kysely);
    return [...BUILT_IN.values(), ...custom.map(toReport)];
  }

  async get(actor: Actor, id: string): Promise<Report> {
    authorize(actor, 'read');
    return this.mustFind(id);
  }

  private async mustFind(id: string): Promise<Report> {
    const builtIn = BUILT_IN.get(id);
    if (builtIn) return builtIn;
    const row = await findCustomReport(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('report', id, E.REPORT_NOT_FOUND);
    return toReport(row);
  }

  async run(actor: Actor, id: string, req: ReportRunRequest): Promise<ReportResult> {
    authorize(actor, 'read');
    const report = await this.mustFind(id);
    const now = this.ctx.clock.now();
    const values = bindParameters(report.parameters, req.parameters ?? {}, now);
    checkReportSql(report.sql, report.parameters);
    const rowLimit = req.rowLimit ?? REPORT_LIMITS.rowLimit.default;
    const started = performance.now();
    const outcome = await this.sandbox.run({
      sql: withoutTrailingSemicolons(report.sql),
      values,
      rowLimit,
      timeoutMs: report.timeoutSeconds * 1000,
      views: VIEW_NAMES,
    });
    if (!outcome.ok) throw runError(outcome);
    return {
      reportId: report.id,
      columns: outcome.columns,
      rows: outcome.rows,
      truncated: outcome.truncated,
      rowLimit,
      elapsedMs: Math.round(performance.now() - started),
      ranAt: now.toISOString(),
    };
  }

  async createCustom(actor: Actor, input: CustomReportInput): Promise<Report> {
    authorize(actor, 'reports:write');
    if (BUILT_IN.has(input.id))
      throw new ConflictError(E.REPORT_ID_TAKEN, `"${input.id}" is a built-in report`);
    const parameters = input.parameters ?? [];
    checkParameterDeclarations(parameters);
    checkReportSql(input.sql, parameters);
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await insertCustomReport(tx, {
          id: input.id,
          title: input.title,
          description: input.description ?? '',
          category: input.category ?? 'custom',
          sql: input.sql,
          parameters: JSON.stringify(parameters),
          chart: input.chart ? JSON.stringify(input.chart) : null,
          refresh_minutes: input.refreshMinutes ?? REPORT_LIMITS.refreshMinutes.default,
          timeout_seconds: input.timeoutSeconds ?? REPORT_LIMITS.timeoutSeconds.default,
          created_by: actor.userName,
          created_at: at,
          updated_by: actor.userName,
          updated_at: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'report.create',
          targetType: 'report',
          targetId: input.id,
          details: { title: input.title, sql: input.sql },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err) || isPrimaryKeyViolation(err))
        throw new ConflictError(E.REPORT_ID_TAKEN, `a report "${input.id}" exists`);
      throw err;
    }
    return this.mustFind(input.id);
  }

  async updateCustom(actor: Actor, id: string, patch: CustomReportPatch): Promise<Report> {
    authorize(actor, 'reports:write');
    const current = await this.mustFindCustom(id);
    const parameters = patch.parameters ?? current.parameters;
    checkParameterDeclarations(parameters);
    checkReportSql(patch.sql ?? current.sql, parameters);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await updateCustomReport(tx, id, {
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.category !== undefined ? { category: patch.category } : {}),
        ...(patch.sql !== undefined ? { sql: patch.sql } : {}),
        ...(patch.parameters !== undefined ? { parameters: JSON.stringify(parameters) } : {}),
        ...(patch.chart !== undefined
          ? { chart: patch.chart ? JSON.stringify(patch.chart) : null }
          : {}),
        ...(patch.refreshMinutes !== undefined ? { refresh_minutes: patch.refreshMinutes } : {}),
        ...(patch.timeoutSeconds !== undefined ? { timeout_seconds: patch.timeoutSeconds } : {}),
        updated_by: actor.userName,
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'report.update',
        targetType: 'report',
        targetId: id,
        details: patch,
      });
    });
    return this.mustFind(id);
  }

  async deleteCustom(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'reports:write');
    const current = await this.mustFindCustom(id);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteCustomReport(tx, id);
      await writeAudit(tx, actor, at, {
        action: 'report.delete',
        targetType: 'report',
        targetId: id,
        details: { title: current.title, sql: current.sql },
      });
    });
  }

  private async mustFindCustom(id: string): Promise<Report> {
    if (BUILT_IN.has(id))
      throw new InputError(
        E.REPORT_BUILT_IN,
        `"${id}" is a built-in report: copy it into a custom report to change it`,
      );
    const row = await findCustomReport(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('report', id, E.REPORT_NOT_FOUND);
    return toReport(row);
  }
}
