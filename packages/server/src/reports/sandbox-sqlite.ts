import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isRecord, type ReportCell } from '@steward/protocol';
import type { Db } from '../db/database.js';
import type { ReportSandbox, SandboxJob, SandboxOutcome } from './sandbox.js';
import { toCell } from './sandbox.js';

/**
 * SQLite sandbox (ADR 0054). better-sqlite3 offers neither an authorizer nor an interrupt, so:
 * - each run is a child process, killed (SIGKILL) at the time limit: a runaway query cannot
 *   hang the site, whose own connection is never used;
 * - the child's main database is an empty in-memory one; the site file is attached under a
 *   random 128-bit name, and every table and view that is not a report view is shadowed by a
 *   TEMP view that raises an error when read. Unqualified names resolve temp first, so
 *   `select * from admin_user` fails; report views resolve their own tables inside the site
 *   file (SQLite binds a view's names to its own database), so they work. Naming the site file
 *   directly needs the random name, and one SELECT has no way to turn a string into a name;
 * - `PRAGMA query_only` before the report's SQL: no write reaches any database;
 * - the statement is wrapped as `select * from (<sql>) limit n+1`: one SELECT, the row limit
 *   is the database's, and a `;` or a non-SELECT is a syntax error.
 */
export function sqliteSandbox(db: Db): ReportSandbox {
  const file = db.sqliteFile;
  return {
    async run(job: SandboxJob): Promise<SandboxOutcome> {
      if (file === undefined || file === ':memory:')
        return { ok: false, kind: 'unavailable', message: 'an in-memory database has no sandbox' };
      const module = createRequire(import.meta.url).resolve('better-sqlite3');
      return runChild({ ...job, file, module });
    },
  };
}

// The child is plain CommonJS run with `node -e`, so it works the same from src and from dist.
const CHILD = `
const { readFileSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const job = JSON.parse(readFileSync(0, 'utf8'));
const Database = require(job.module);
const out = (o) => process.stdout.write(JSON.stringify(o));
let db;
try {
  db = new Database(':memory:');
  db.function('report_refuse', { deterministic: false }, (name) => {
    throw new Error('REFUSED: ' + name + ' is not a report view; reports read only the report views');
  });
  const site = 's_' + randomBytes(16).toString('hex');
  db.prepare('attach database ? as ' + site).run(job.file);
  db.pragma('busy_timeout = ' + String(job.timeoutMs));
  const allowed = new Set(job.views);
  const names = db.prepare("select name from " + site + ".sqlite_schema where type in ('table', 'view') and name not like 'sqlite\\\\_%' escape '\\\\'").pluck().all();
  for (const name of names) {
    if (allowed.has(name)) continue;
    // The same column names as the real one, so a query prepares and is refused when it reads.
    const ident = (n) => '"' + n.replaceAll('"', '""') + '"';
    const columns = db.prepare('select name from pragma_table_info(?, ?)').pluck().all(name, site);
    const list = columns.length > 0 ? columns.map((c) => 'null as ' + ident(c)).join(', ') : 'null as refused';
    db.exec('create temp view ' + ident(name) + ' as select ' + list + ' where report_refuse(\\'' + name.replaceAll("'", "''") + '\\')');
  }
  db.pragma('query_only = 1');
} catch (e) {
  out({ ok: false, kind: 'unavailable', message: String(e && e.message) });
  process.exit(0);
}
try {
  const stmt = db.prepare('select * from (\\n' + job.sql + '\\n) limit ' + String(job.rowLimit + 1));
  const columns = stmt.columns().map((c) => c.name);
  const rows = [];
  let truncated = false;
  for (const row of stmt.raw(true).iterate(job.values)) {
    if (rows.length === job.rowLimit) { truncated = true; break; }
    rows.push(row.map((v) => Buffer.isBuffer(v) ? '\\\\x' + v.toString('hex') : typeof v === 'bigint' ? String(v) : v));
  }
  out({ ok: true, columns, rows, truncated });
} catch (e) {
  const message = String(e && e.message);
  const refused = message.startsWith('REFUSED: ') || /readonly|read-only|not authorized|query_only/i.test(message) || e.code === 'SQLITE_READONLY';
  out({ ok: false, kind: refused ? 'refused' : 'invalid', message: message.replace(/^REFUSED: /, '') });
}
`;

function runChild(job: SandboxJob & { file: string; module: string }): Promise<SandboxOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', '-e', CHILD], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let errText = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, job.timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      if (errText.length < 4000) errText += c.toString();
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, kind: 'unavailable', message: err.message });
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({
          ok: false,
          kind: 'timeout',
          message: `stopped after ${String(job.timeoutMs / 1000)} s`,
        });
        return;
      }
      resolve(parseOutcome(Buffer.concat(chunks).toString('utf8'), errText));
    });
    child.stdin.end(JSON.stringify(job));
  });
}

function parseOutcome(text: string, errText: string): SandboxOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'unavailable', message: `report process failed: ${errText.trim()}` };
  }
  if (!isRecord(parsed)) return { ok: false, kind: 'unavailable', message: 'bad report answer' };
  if (parsed.ok === true && Array.isArray(parsed.columns) && Array.isArray(parsed.rows)) {
    const columns = parsed.columns.map(String);
    const rows: ReportCell[][] = parsed.rows.map((r: unknown) =>
      Array.isArray(r) ? r.map(toCell) : [],
    );
    return { ok: true, columns, rows, truncated: parsed.truncated === true };
  }
  const kind = parsed.kind === 'refused' || parsed.kind === 'invalid' ? parsed.kind : 'unavailable';
  return { ok: false, kind, message: typeof parsed.message === 'string' ? parsed.message : '' };
}
