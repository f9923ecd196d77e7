import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';

/**
 * Reports with visible SQL (issue 10, MISSION section 8, ADRs 0053 and 0054). A report is SQL
 * over the documented `v_*` views with named parameters (`:name`); built-in reports are declared
 * once in `definitions.ts`, custom ones are stored by administrators. Both run the same way:
 * read-only, with a time limit and a row limit, on both dialects.
 */

export const ReportCategory = Type.Union([
  Type.Literal('compliance'),
  Type.Literal('deployment-status'),
  Type.Literal('infrastructure'),
  Type.Literal('status-messages'),
  Type.Literal('custom'),
]);
export type ReportCategory = Static<typeof ReportCategory>;

/** How the console and CLI name each category (in this order). */
export const REPORT_CATEGORY_TITLES: Readonly<Record<ReportCategory, string>> = {
  compliance: 'Software update compliance',
  'deployment-status': 'Deployment status',
  infrastructure: 'Infrastructure',
  'status-messages': 'Status messages',
  custom: 'Custom',
};

/** The limits of everything a report has, declared once: forms, flags and the server read them. */
export const REPORT_LIMITS = {
  /** How often a report page refreshes itself (minutes). */
  refreshMinutes: { min: 1, max: 60, default: 15 },
  /** How long one run may take before it is stopped (seconds). */
  timeoutSeconds: { min: 1, max: 60, default: 10 },
  /** How many rows one run returns at most (a run that had more says `truncated`). */
  rowLimit: { min: 1, max: 100_000, default: 5_000 },
  sqlMaxLength: 20_000,
  parametersMax: 10,
} as const;

/** A report's id, also its path segment: lowercase words joined by dashes. */
export const ReportId = Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$', maxLength: 63 });

export const ReportParameterType = Type.Union([
  Type.Literal('text'),
  Type.Literal('integer'),
  /** An ISO-8601 instant, compared with the views' text timestamps. */
  Type.Literal('datetime'),
  /**
   * A whole number of days N, bound as the ISO-8601 instant N days before the run: "in the
   * last N days" is then `at >= :days` on both dialects, without dialect date arithmetic.
   */
  Type.Literal('days'),
]);
export type ReportParameterType = Static<typeof ReportParameterType>;

/** A whole number a parameter can hold (JSON's 1e999 is Infinity: refused here). */
const ParameterInteger = Type.Integer({ minimum: -1e15, maximum: 1e15 });

/** A named parameter: the SQL uses it as `:name`, bound as a value (never spliced into text). */
export const ReportParameter = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
    label: Type.String({ minLength: 1, maxLength: 100 }),
    type: ReportParameterType,
    required: Type.Boolean(),
    default: Type.Optional(
      Nullable(Type.Union([Type.String({ maxLength: 500 }), ParameterInteger])),
    ),
    /** integer and days: the smallest and largest value accepted. */
    min: Type.Optional(ParameterInteger),
    max: Type.Optional(ParameterInteger),
  },
  { additionalProperties: false },
);
export type ReportParameter = Static<typeof ReportParameter>;

/** A chart of the result: one bar (or slice) per row, `label` column against `value` column. */
export const ReportChart = Type.Object(
  {
    kind: Type.Union([Type.Literal('bar'), Type.Literal('pie')]),
    label: Type.String({ minLength: 1, maxLength: 63 }),
    value: Type.String({ minLength: 1, maxLength: 63 }),
  },
  { additionalProperties: false },
);
export type ReportChart = Static<typeof ReportChart>;

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 2000 });
const Sql = Type.String({ minLength: 1, maxLength: REPORT_LIMITS.sqlMaxLength });
const Parameters = Type.Array(ReportParameter, { maxItems: REPORT_LIMITS.parametersMax });
const RefreshMinutes = Type.Integer({
  minimum: REPORT_LIMITS.refreshMinutes.min,
  maximum: REPORT_LIMITS.refreshMinutes.max,
});
const TimeoutSeconds = Type.Integer({
  minimum: REPORT_LIMITS.timeoutSeconds.min,
  maximum: REPORT_LIMITS.timeoutSeconds.max,
});

/** A report as the API shows it: its SQL is always part of it (visible SQL). */
export const Report = Type.Object({
  id: ReportId,
  title: Type.String(),
  description: Type.String(),
  category: ReportCategory,
  sql: Type.String(),
  parameters: Type.Array(ReportParameter),
  chart: Nullable(ReportChart),
  refreshMinutes: Type.Integer(),
  timeoutSeconds: Type.Integer(),
  builtIn: Type.Boolean(),
  createdBy: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
});
export type Report = Static<typeof Report>;

export const CustomReportInput = Type.Object(
  {
    id: ReportId,
    title: Title,
    description: Type.Optional(Description),
    category: Type.Optional(ReportCategory),
    sql: Sql,
    parameters: Type.Optional(Parameters),
    chart: Type.Optional(Nullable(ReportChart)),
    refreshMinutes: Type.Optional(RefreshMinutes),
    timeoutSeconds: Type.Optional(TimeoutSeconds),
  },
  { additionalProperties: false },
);
export type CustomReportInput = Static<typeof CustomReportInput>;

/** Every field of a custom report but its id, each optional. */
export const CustomReportPatch = Type.Partial(Type.Omit(CustomReportInput, ['id']), {
  additionalProperties: false,
});
export type CustomReportPatch = Static<typeof CustomReportPatch>;

export const ReportParameterValues = Type.Record(
  Type.String({ maxLength: 40 }),
  Nullable(Type.Union([Type.String({ maxLength: 500 }), ParameterInteger])),
  { maxProperties: REPORT_LIMITS.parametersMax },
);
export type ReportParameterValues = Static<typeof ReportParameterValues>;

export const ReportRunRequest = Type.Object(
  {
    parameters: Type.Optional(ReportParameterValues),
    rowLimit: Type.Optional(
      Type.Integer({ minimum: REPORT_LIMITS.rowLimit.min, maximum: REPORT_LIMITS.rowLimit.max }),
    ),
  },
  { additionalProperties: false },
);
export type ReportRunRequest = Static<typeof ReportRunRequest>;

export const ReportCell = Nullable(Type.Union([Type.String(), Type.Number(), Type.Boolean()]));
export type ReportCell = Static<typeof ReportCell>;

export const ReportResult = Type.Object({
  reportId: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Array(ReportCell)),
  /** More rows matched than `rowLimit`: only the first `rowLimit` are here. */
  truncated: Type.Boolean(),
  rowLimit: Type.Integer(),
  elapsedMs: Type.Integer(),
  ranAt: Type.String(),
});
export type ReportResult = Static<typeof ReportResult>;

/** Export of a report's result: `parameters` is the JSON of ReportParameterValues. */
export const ReportExportQuery = Type.Object(
  {
    format: Type.Optional(Type.String({ maxLength: 16 })),
    parameters: Type.Optional(Type.String({ maxLength: 8000 })),
  },
  { additionalProperties: false },
);
export type ReportExportQuery = Static<typeof ReportExportQuery>;

/** One column of a report view, documented. */
export interface ReportViewColumn {
  readonly name: string;
  readonly meaning: string;
}

/** A documented report view: what custom SQL may read (and nothing else). */
export interface ReportView {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ReportViewColumn[];
}
