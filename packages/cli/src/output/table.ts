import { stripAnsi, visibleWidth, type Style } from './style.js';
import { truncate } from './format.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** May be shortened to fit the terminal width (the last column when none is marked). */
  flex?: boolean;
}

export interface TableOptions {
  style: Style;
  /** Terminal width; when set, flexible columns shrink so lines fit. */
  width?: number | undefined;
}

const GAP = '  ';
const MIN_FLEX = 12;

/**
 * A compact aligned table: a header row, no borders, two spaces between columns, no trailing
 * blanks. Easy to read, easy to grep, and stable enough for `awk`; scripts should use --json.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  opts: TableOptions,
): string {
  const cells = rows.map((r) => columns.map((_, i) => (r[i] ?? '').replace(/\s*\n\s*/g, ' ')));
  const widths = columns.map((c, i) =>
    Math.max(visibleWidth(c.header), ...cells.map((r) => visibleWidth(r[i] ?? ''))),
  );
  fitToWidth(columns, widths, opts.width);
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        const text = visibleWidth(v) > width ? truncate(stripAnsi(v), width) : v;
        const pad = ' '.repeat(Math.max(0, width - visibleWidth(text)));
        return columns[i]?.align === 'right' ? pad + text : text + pad;
      })
      .join(GAP)
      .trimEnd();
  const header = opts.style.bold(line(columns.map((c) => c.header)));
  return [header, ...cells.map(line)].join('\n') + '\n';
}

function fitToWidth(columns: readonly Column[], widths: number[], width: number | undefined): void {
  if (width === undefined || width <= 0) return;
  let flex = columns.flatMap((c, i) => (c.flex ? [i] : []));
  if (flex.length === 0) flex = [columns.length - 1];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  // Shrink the widest flexible column first, one character at a time, down to a floor.
  while (total() > width) {
    let widest = -1;
    for (const i of flex) {
      const w = widths[i] ?? 0;
      if (w > MIN_FLEX && (widest < 0 || w > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
}

/** `Label:  value` lines with the values aligned. */
export function renderFields(
  fields: readonly (readonly [string, string])[],
  style: Style,
  indent = '',
): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length + 1));
  return (
    fields
      .map(([k, v]) => `${indent}${style.bold(`${k}:`.padEnd(width))}  ${v}`.trimEnd())
      .join('\n') + '\n'
  );
}
