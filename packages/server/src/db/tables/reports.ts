import { ReportCategory } from '@steward/protocol';
import { integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The reports domain's table: custom reports (ADR 0053). The report views are in docs/reports.md. */
export const reportsTables = {
  report_custom: {
    id: text(),
    title: text(),
    description: text(),
    category: oneOf(ReportCategory),
    sql: text(),
    /** JSON array of ReportParameter, parsed where read. */
    parameters: text(),
    /** JSON ReportChart or null. */
    chart: nullable(text()),
    refresh_minutes: integer(),
    timeout_seconds: integer(),
    created_by: text(),
    created_at: text(),
    updated_by: text(),
    updated_at: text(),
  },
} as const;

export interface ReportsTables {
  report_custom: ReportCustomTable;
}
export type ReportCustomTable = TableOf<typeof reportsTables.report_custom>;
