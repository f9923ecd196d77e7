import type { ExportFormat } from '@steward/protocol';

/**
 * How exported rows are written (ADR 0032). CSV follows RFC 4180: a header row, CRLF line ends,
 * a field holding a comma, a double quote, CR or LF quoted with its quotes doubled. A text cell
 * starting with `=`, `+`, `-`, `@`, a tab or CR (what a spreadsheet would run as a formula) gets
 * a leading apostrophe; numbers are written as they are. JSON is one array of the list's rows.
 */

const CRLF = '\r\n';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A spreadsheet shows `'=1+2` as the text `=1+2` instead of running it. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The text of one cell: arrays of plain values joined with "; ", objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'string') return neutraliseFormula(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    return neutraliseFormula(value.map((v) => (v === null ? '' : String(v))).join('; '));
  return neutraliseFormula(JSON.stringify(value));
}

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + CRLF;
}

/** The cells of one row, in column order. */
export function csvRow(row: unknown, columns: readonly string[]): string {
  const record = typeof row === 'object' && row !== null ? row : {};
  return csvLine(columns.map((c) => cellText(Reflect.get(record, c))));
}

/**
 * The export's text, chunk by chunk: the header (or the array's opening), each chunk of rows as
 * one string, then the end. Pulled by the response stream, so a slow reader stops the reading.
 */
export async function* encodeRows(
  format: ExportFormat,
  columns: readonly string[],
  chunks: AsyncIterable<readonly unknown[]>,
): AsyncGenerator<string> {
  switch (format) {
    case 'csv':
      yield csvLine(columns);
      for await (const rows of chunks) {
        let text = '';
        for (const row of rows) text += csvRow(row, columns);
        if (text) yield text;
      }
      return;
    case 'json': {
      let first = true;
      yield '[';
      for await (const rows of chunks) {
        let text = '';
        for (const row of rows) {
          text += `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
          first = false;
        }
        if (text) yield text;
      }
      yield first ? ']\n' : '\n]\n';
      return;
    }
  }
}
