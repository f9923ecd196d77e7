import { ErrorCode, InputError, type ImportComputerRequest } from '@steward/protocol';

/**
 * Imported computers as CSV, the shape Configuration Manager's "Import Computer Information"
 * takes: a header line naming `name` and `mac` and/or `smbiosUuid` (any case); every other
 * column is a task-sequence variable of that name. Fields may be quoted ("a,b", "" for a quote).
 * Empty cells are absent. A line that does not parse refuses the whole file (the caller imports
 * all or none).
 */
export function parseComputersCsv(text: string): ImportComputerRequest[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, i) => ({ line, no: i + 1 }))
    .filter((l) => l.line.trim() !== '');
  const [head, ...rows] = lines;
  if (!head) throw invalid('the CSV is empty', 1);
  const columns = splitLine(head.line, head.no).map((c) => c.trim());
  const index = (name: string) => columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  const nameAt = index('name');
  const macAt = index('mac');
  const uuidAt = index('smbiosUuid');
  if (nameAt < 0) throw invalid('the header line must name a "name" column', head.no);
  if (macAt < 0 && uuidAt < 0)
    throw invalid('the header line must name a "mac" or "smbiosUuid" column', head.no);
  return rows.map(({ line, no }) => {
    const cells = splitLine(line, no);
    if (cells.length !== columns.length)
      throw invalid(
        `${String(cells.length)} fields where the header has ${String(columns.length)}`,
        no,
      );
    const cell = (i: number) => (i < 0 ? '' : (cells[i] ?? '').trim());
    const variables: Record<string, string> = {};
    columns.forEach((c, i) => {
      if (i !== nameAt && i !== macAt && i !== uuidAt && cell(i) !== '') variables[c] = cell(i);
    });
    return {
      name: cell(nameAt),
      ...(cell(macAt) ? { mac: cell(macAt) } : {}),
      ...(cell(uuidAt) ? { smbiosUuid: cell(uuidAt) } : {}),
      ...(Object.keys(variables).length ? { variables } : {}),
    };
  });
}

function invalid(message: string, line: number): InputError {
  return new InputError(
    ErrorCode.IMPORTED_COMPUTER_CSV_INVALID,
    `line ${String(line)}: ${message}`,
    {
      line,
    },
  );
}

/** One CSV line's fields (RFC 4180 quoting; a record never spans lines here). */
function splitLine(line: string, no: number): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw invalid('a quoted field is not closed', no);
  out.push(field);
  return out;
}

/** MACs are stored lower case with colons, whatever the input's case and separator. */
export function normaliseMac(mac: string): string {
  return mac.toLowerCase().replaceAll('-', ':');
}

/**
 * SMBIOS UUIDs are stored lower case; the all-zero and all-F values some firmware reports are
 * no identity at all (many machines share them) and count as absent.
 */
export function normaliseUuid(uuid: string | null | undefined): string | null {
  if (!uuid) return null;
  const u = uuid.toLowerCase();
  if (/^[0-]+$/.test(u) || /^[f-]+$/.test(u)) return null;
  return u;
}
