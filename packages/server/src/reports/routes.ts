import { Readable } from 'node:stream';
import {
  ErrorCode,
  EXPORT_FORMATS,
  EXPORT_MEDIA_TYPES,
  InputError,
  isExportFormat,
  isRecord,
  type Operation,
  ops,
  REPORT_LIMITS,
  ReportParameterValues,
} from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement, registerOperation } from '../http/operations.js';
import { encodeRows } from '../export/encode.js';
import type { ReportService } from './service.js';

/** Reports with visible SQL: list, show, run, export, and custom report changes. */
export function registerReportRoutes(app: App, reports: ReportService, now: () => Date): void {
  implement(app, ops.sqlReports, {
    list: (req) => reports.list(actorOf(req)),
    get: (req) => reports.get(actorOf(req), req.params.id),
    run: (req) => reports.run(actorOf(req), req.params.id, req.body),
    createCustom: (req) => reports.createCustom(actorOf(req), req.body),
    updateCustom: (req) => reports.updateCustom(actorOf(req), req.params.id, req.body),
    deleteCustom: (req) => reports.deleteCustom(actorOf(req), req.params.id),
  });
  const exportOp: Operation = ops.sqlReportExports.export;
  registerOperation(app, exportOp, async (req, reply) => {
    // Fastify checked params and query against the operation's schemas.
    const id = isRecord(req.params) && typeof req.params.id === 'string' ? req.params.id : '';
    const query = isRecord(req.query) ? req.query : {};
    const format = typeof query.format === 'string' ? query.format : 'csv';
    if (!isExportFormat(format))
      throw new InputError(
        ErrorCode.EXPORT_UNSUPPORTED_FORMAT,
        `export as one of ${EXPORT_FORMATS.join(', ')}`,
      );
    const parameters = parametersOf(query.parameters);
    // The run finishes before answering, so a refusal is a proper error answer (ADR 0032).
    const result = await reports.run(actorOf(req), id, {
      parameters,
      rowLimit: REPORT_LIMITS.rowLimit.max,
    });
    const objects = result.rows.map((r) =>
      Object.fromEntries(result.columns.map((c, i) => [c, r[i] ?? null])),
    );
    const day = now().toISOString().slice(0, 10);
    void reply
      .header('content-type', EXPORT_MEDIA_TYPES[format])
      .header('content-disposition', `attachment; filename="${result.reportId}-${day}.${format}"`)
      .header('cache-control', 'no-store');
    return Readable.from(encodeRows(format, result.columns, chunked(objects)), {
      objectMode: false,
    });
  });
}

/** `parameters` of an export link: the JSON of the run's parameter values. */
function parametersOf(text: unknown): ReportParameterValues {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Value.Check(ReportParameterValues, parsed))
    throw new InputError(
      ErrorCode.REPORT_PARAMETER_INVALID,
      'parameters must be a JSON object of names to text, whole numbers or null',
    );
  return parsed;
}

async function* chunked<T>(rows: readonly T[]): AsyncGenerator<readonly T[]> {
  for (let i = 0; i < rows.length; i += 1000) {
    await Promise.resolve();
    yield rows.slice(i, i + 1000);
  }
}
