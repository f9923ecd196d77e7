import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { ExportBody } from '../export/export-of.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  CustomReportInput,
  CustomReportPatch,
  Report,
  ReportExportQuery,
  ReportResult,
  ReportRunRequest,
} from './schemas.js';

const tags = ['reports'];
const E = ErrorCode;
const RUN_ERRORS = [
  E.REPORT_NOT_FOUND,
  E.REPORT_PARAMETER_INVALID,
  E.REPORT_SQL_INVALID,
  E.REPORT_SQL_REFUSED,
  E.REPORT_TIMEOUT,
  E.REPORT_SANDBOX_UNAVAILABLE,
];

/**
 * Reports with visible SQL (issue 10, ADRs 0053 and 0054): built-in and custom reports over the
 * `v_*` views, run read-only with a time and a row limit, exported as CSV.
 */
export const sqlReportOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/sql-reports',
    responses: { 200: Type.Array(Report) },
    permission: 'read',
    errors: [],
    summary: 'Every report (built-in, then custom), with its SQL',
    tags,
  },
  get: {
    method: 'GET',
    path: '/sql-reports/:id',
    params: IdParams,
    responses: { 200: Report },
    permission: 'read',
    errors: [E.REPORT_NOT_FOUND],
    summary: 'One report with its SQL and parameters',
    tags,
  },
  run: {
    method: 'POST',
    path: '/sql-reports/:id/run',
    params: IdParams,
    body: ReportRunRequest,
    bodyMayBeOmitted: true,
    responses: { 200: ReportResult },
    permission: 'read',
    errors: RUN_ERRORS,
    summary: 'Runs a report read-only with its parameters; answers its columns and rows',
    tags,
  },
  createCustom: {
    method: 'POST',
    path: '/sql-reports',
    body: CustomReportInput,
    responses: { 201: Report },
    permission: 'reports:write',
    errors: [
      E.REPORT_ID_TAKEN,
      E.REPORT_SQL_INVALID,
      E.REPORT_SQL_REFUSED,
      E.REPORT_PARAMETER_INVALID,
    ],
    summary: 'Adds a custom report (administrator SQL over the report views)',
    tags,
  },
  updateCustom: {
    method: 'PATCH',
    path: '/sql-reports/:id',
    params: IdParams,
    body: CustomReportPatch,
    responses: { 200: Report },
    permission: 'reports:write',
    errors: [
      E.REPORT_NOT_FOUND,
      E.REPORT_BUILT_IN,
      E.REPORT_SQL_INVALID,
      E.REPORT_SQL_REFUSED,
      E.REPORT_PARAMETER_INVALID,
    ],
    summary: 'Changes a custom report',
    tags,
  },
  deleteCustom: {
    method: 'DELETE',
    path: '/sql-reports/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'reports:write',
    errors: [E.REPORT_NOT_FOUND, E.REPORT_BUILT_IN],
    summary: 'Removes a custom report',
    tags,
  },
});

/**
 * A report's result as a file. Its own group: the route answers a stream, which the typed
 * handlers of `sqlReportOperations` do not describe (ADR 0032's exports are served the same way).
 */
export const sqlReportExportOperations = defineOperations({
  export: {
    method: 'GET',
    path: '/sql-reports/:id/export',
    params: IdParams,
    query: ReportExportQuery,
    responses: { 200: ExportBody },
    permission: 'read',
    errors: [...RUN_ERRORS, E.EXPORT_UNSUPPORTED_FORMAT],
    summary: "A report's result as CSV (or JSON), up to the largest row limit",
    tags,
  },
});
