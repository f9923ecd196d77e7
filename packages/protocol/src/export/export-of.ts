import {
  KindGuard,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TString,
  Type,
} from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { API_PREFIX } from '../http/common.js';
import { type ExportSpec, type Operation, pathOf } from '../http/operation.js';
import { queryStringOf, type QueryValues } from '../http/request.js';

/** The formats an export writes (ADR 0032); csv is the default. */
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: unknown): value is ExportFormat {
  return value === 'csv' || value === 'json';
}

/** The media type each format is answered with. */
export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * `format` of an export's query: a plain string, so an unknown one is refused with the stable
 * EXPORT_UNSUPPORTED_FORMAT (naming the formats) rather than a schema message.
 */
export const ExportFormatParam = Type.String({
  maxLength: 16,
  description: 'csv (the default) or json',
});

/**
 * What an export answers: the rows as CSV (text/csv, RFC 4180, a header row) or as one JSON
 * array (application/json), streamed; described here, never buffered.
 */
export const ExportBody = Type.String({
  description: 'Every matching row: CSV with a header row (text/csv) or a JSON array',
});

/** The query fields that page a list: an export reads every row, so it takes none of them. */
const PAGING_FIELDS = ['offset', 'limit', 'before', 'after'] as const;
type PagingField = (typeof PAGING_FIELDS)[number];
const PAGING: ReadonlySet<string> = new Set(PAGING_FIELDS);

interface FormatField extends TProperties {
  format: TOptional<TString>;
}
/** The list's query minus its paging fields, plus `format`. */
export type ExportQuery<Q> =
  Q extends TObject<infer P> ? TObject<Omit<P, PagingField> & FormatField> : TObject<FormatField>;

/** The export operation of list operation `L` (see `exportOf`). */
export type ExportOperation<L extends Operation> = Operation & {
  readonly method: 'GET';
  readonly query: ExportQuery<L['query']>;
  readonly responses: { readonly 200: typeof ExportBody };
  readonly export: ExportSpec;
} & (L extends { readonly params: infer P extends TSchema } ? { readonly params: P } : unknown);

/**
 * The export operation of a list operation, declared once in the operation table (ADR 0032):
 * `GET <list path>/export` with the list's own filters (its query minus paging) and `format`,
 * the list's permission, and an `export` spec the server derives the streamed answer from. The
 * CSV columns are the fields of the list's row schema unless `columns` names them.
 */
export function exportOf<const L extends Operation>(
  list: L,
  file: string,
  columns?: readonly string[],
): ExportOperation<L>;
export function exportOf(list: Operation, file: string, columns?: readonly string[]): Operation {
  const fields = queryFieldsOf(list);
  const filters: TProperties = {};
  for (const [name, schema] of Object.entries(fields))
    if (!PAGING.has(name)) filters[name] = schema;
  filters.format = Type.Optional(ExportFormatParam);
  const limit = fields.limit;
  const spec: ExportSpec = {
    list,
    paging: 'before' in fields ? 'cursor' : 'offset' in fields ? 'offset' : 'whole',
    chunk: limit && typeof limit.maximum === 'number' ? Math.min(limit.maximum, 1000) : undefined,
    columns: columns ?? fieldsOf(rowSchemaOf(list)),
    file,
  };
  return {
    method: 'GET',
    path: `${list.path}/export`,
    ...(list.params ? { params: list.params } : {}),
    query: Type.Object(filters, { additionalProperties: false }),
    responses: { 200: ExportBody },
    permission: list.permission,
    errors: [...list.errors, ErrorCode.EXPORT_UNSUPPORTED_FORMAT],
    summary: `Exports (CSV or JSON) every row of: ${list.summary}`,
    tags: [...list.tags, 'export'],
    export: spec,
  };
}

function queryFieldsOf(op: Operation): Readonly<Record<string, TSchema>> {
  const q = op.query;
  return q && KindGuard.IsObject(q) ? q.properties : {};
}

/** The schema of one row of a list: the items of its array, or of its page's `items`. */
export function rowSchemaOf(list: Operation): TSchema | undefined {
  const answer = list.responses[200];
  if (answer === undefined) return undefined;
  if (KindGuard.IsArray(answer)) return answer.items;
  if (KindGuard.IsObject(answer)) {
    const items = answer.properties.items;
    if (items && KindGuard.IsArray(items)) return items.items;
  }
  return undefined;
}

function fieldsOf(row: TSchema | undefined): string[] {
  if (row === undefined) throw new Error('an export needs a list whose rows are objects');
  if (KindGuard.IsObject(row)) return Object.keys(row.properties);
  if (KindGuard.IsIntersect(row)) return row.allOf.flatMap((part) => fieldsOf(part));
  throw new Error('an export needs a list whose rows are objects');
}

/** What an export is called with: the list's path parameters, its filters and the format. */
export interface ExportArgs {
  params?: QueryValues;
  query?: QueryValues;
}

/**
 * The path (under the site's base URL) of an export with these filters: what the console's
 * download link points at and the CLI fetches. Empty filters are left out.
 */
export function exportPathOf(op: Operation & { export: ExportSpec }, args: ExportArgs): string {
  return `${API_PREFIX}${pathOf(op, args.params)}${queryStringOf(args.query)}`;
}
