import {
  ErrorCode,
  InputError,
  scanReportSql,
  type ReportParameter,
  type ReportParameterValues,
} from '@steward/protocol';

const E = ErrorCode;
const DAY_MS = 86_400_000;

/**
 * Checks report SQL before it is saved or run: one SELECT (or WITH) statement whose `:name`
 * parameters are all declared. The sandbox enforces the same and more; this answers early with
 * a clear message.
 */
export function checkReportSql(text: string, parameters: readonly ReportParameter[]): void {
  const scan = scanReportSql(text);
  if (scan.firstWord !== 'select' && scan.firstWord !== 'with')
    throw new InputError(
      E.REPORT_SQL_REFUSED,
      `a report is one SELECT (or WITH ... SELECT) statement, not ${scan.firstWord === '' ? 'nothing' : scan.firstWord.toUpperCase()}`,
    );
  if (scan.severalStatements)
    throw new InputError(E.REPORT_SQL_REFUSED, 'a report is one statement: remove the ";"');
  const declared = new Set(parameters.map((p) => p.name));
  const unknown = scan.names.filter((n) => !declared.has(n));
  if (unknown.length > 0)
    throw new InputError(
      E.REPORT_SQL_INVALID,
      `the SQL uses ${unknown.map((n) => `:${n}`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not a declared parameter`,
    );
}

/** Parameter declarations: unique names, limits that make sense, defaults of the right type. */
export function checkParameterDeclarations(parameters: readonly ReportParameter[]): void {
  const seen = new Set<string>();
  for (const p of parameters) {
    if (seen.has(p.name))
      throw new InputError(E.REPORT_PARAMETER_INVALID, `parameter ${p.name} is declared twice`);
    seen.add(p.name);
    for (const limit of [p.min, p.max])
      if (limit !== undefined && !Number.isSafeInteger(limit))
        throw new InputError(
          E.REPORT_PARAMETER_INVALID,
          `parameter ${p.name}: limits are whole numbers`,
        );
    if (p.min !== undefined && p.max !== undefined && p.min > p.max)
      throw new InputError(E.REPORT_PARAMETER_INVALID, `parameter ${p.name}: min is above max`);
    if (p.default !== undefined && p.default !== null) bindOne(p, p.default, new Date(0));
  }
}

/** The values a run binds, by name: given or default, checked against each declaration. */
export function bindParameters(
  parameters: readonly ReportParameter[],
  given: ReportParameterValues,
  now: Date,
): Record<string, string | number | null> {
  const declared = new Set(parameters.map((p) => p.name));
  for (const name of Object.keys(given))
    if (!declared.has(name))
      throw new InputError(E.REPORT_PARAMETER_INVALID, `the report has no parameter "${name}"`);
  const values: Record<string, string | number | null> = {};
  for (const p of parameters) {
    const raw = given[p.name] ?? p.default ?? null;
    if (raw === null || raw === '') {
      if (p.required)
        throw new InputError(E.REPORT_PARAMETER_INVALID, `${p.label} (${p.name}) is required`, {
          parameter: p.name,
        });
      values[p.name] = null;
      continue;
    }
    values[p.name] = bindOne(p, raw, now);
  }
  return values;
}

function bindOne(p: ReportParameter, raw: string | number, now: Date): string | number {
  const bad = (why: string) =>
    new InputError(E.REPORT_PARAMETER_INVALID, `${p.label} (${p.name}) ${why}`, {
      parameter: p.name,
    });
  switch (p.type) {
    case 'text':
      return String(raw);
    case 'integer':
    case 'days': {
      const n = typeof raw === 'number' ? raw : /^-?\d{1,15}$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw bad('must be a whole number');
      if (p.min !== undefined && n < p.min) throw bad(`must be at least ${String(p.min)}`);
      if (p.max !== undefined && n > p.max) throw bad(`must be at most ${String(p.max)}`);
      return p.type === 'days' ? new Date(now.getTime() - n * DAY_MS).toISOString() : n;
    }
    case 'datetime': {
      const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
      if (Number.isNaN(t)) throw bad('must be a date and time (ISO-8601)');
      return new Date(t).toISOString();
    }
  }
}
