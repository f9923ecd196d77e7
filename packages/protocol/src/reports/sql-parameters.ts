/**
 * Reading report SQL without running it (ADR 0054): where its `:name` parameters are, whether it
 * holds more than one statement, and its first keyword. Strings ('...'), quoted names ("..."),
 * comments (-- and /* *\/), PostgreSQL dollar quotes ($tag$...$tag$) and `::` casts are skipped,
 * so a colon or a semicolon inside them is not mistaken for a parameter or a statement end.
 * This is the first of several layers, not the security boundary: the database's read-only
 * sandbox is (server/src/reports/sandbox-*.ts).
 */
export interface ScannedSql {
  /** The SQL with every parameter replaced by what `placeholder` gave for it. */
  sql: string;
  /** Parameter names in order of first use. */
  names: string[];
  /** A `;` followed by anything but whitespace and comments: a second statement. */
  severalStatements: boolean;
  /** The first word outside comments, lowercased ('select', 'with', 'insert', ...). */
  firstWord: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

export function scanReportSql(
  text: string,
  placeholder: (name: string) => string = (name) => `:${name}`,
): ScannedSql {
  let out = '';
  const names: string[] = [];
  let firstWord = '';
  let ended = false;
  let severalStatements = false;
  let i = 0;
  const n = text.length;
  const copyUntil = (end: number) => {
    out += text.slice(i, end);
    i = end;
  };
  while (i < n) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '-' && next === '-') {
      const eol = text.indexOf('\n', i);
      copyUntil(eol === -1 ? n : eol);
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      copyUntil(close === -1 ? n : close + 2);
      continue;
    }
    if (ended && !/\s/.test(c) && c !== ';') severalStatements = true;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        const k = text.indexOf(c, j);
        if (k === -1) {
          j = n;
          break;
        }
        if (text[k + 1] === c) j = k + 2;
        else {
          j = k + 1;
          break;
        }
      }
      copyUntil(j);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        copyUntil(close === -1 ? n : close + tag[0].length);
        continue;
      }
    }
    if (c === ':' && next === ':') {
      copyUntil(i + 2);
      continue;
    }
    if (c === ':' && IDENT_START.test(next) && !IDENT.test(text[i - 1] ?? '')) {
      let j = i + 1;
      while (j < n && IDENT.test(text[j] ?? '')) j++;
      const name = text.slice(i + 1, j);
      if (!names.includes(name)) names.push(name);
      out += placeholder(name);
      i = j;
      continue;
    }
    if (c === ';') ended = true;
    if (firstWord === '' && IDENT_START.test(c)) {
      let j = i;
      while (j < n && IDENT.test(text[j] ?? '')) j++;
      firstWord = text.slice(i, j).toLowerCase();
      copyUntil(j);
      continue;
    }
    out += c;
    i++;
  }
  return { sql: out, names, severalStatements, firstWord };
}

/** The SQL without trailing semicolons and whitespace (one statement may end with one). */
export function withoutTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
