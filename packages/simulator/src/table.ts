/** A plain-text table with right-aligned numbers, for terminal summaries. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[], isHeader: boolean): string =>
    r
      .map((c, i) =>
        isHeader || Number.isNaN(Number(c)) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [
    line(head ?? [], true),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map((r) => line(r, false)),
  ].join('\n');
}
