import pg, { type CustomTypesConfig } from 'pg';
import type { TypeFormat, TypeId } from 'pg-types';
import { scanReportSql, type ReportCell } from '@steward/protocol';
import type { Db } from '../db/database.js';
import { ensureReportRole, quoteIdent, type ReportRole } from './role-repository.js';
import type { ReportSandbox, SandboxJob, SandboxOutcome } from './sandbox.js';
import { toCell } from './sandbox.js';

/**
 * PostgreSQL sandbox (ADR 0054). Report SQL runs on its own connection that LOGS IN as a role
 * of its own: it holds SELECT on the report views and nothing else, so reading a table is
 * `permission denied`, and there is no way back to the site's role (SET ROLE and
 * set_config('role') check the session user, which is the report role itself). In a READ ONLY
 * transaction with `SET LOCAL statement_timeout`; the statement is wrapped as
 * `select * from (<sql>) as report limit n+1` (one SELECT; data-modifying WITH must be top
 * level, so it is refused too). The role is per database and schema; the site creates it and
 * sets a fresh random password when a process first runs a report (it needs CREATEROLE).
 */
export function postgresSandbox(db: Db): ReportSandbox {
  let role: Promise<ReportRole> | undefined;
  return {
    async run(job: SandboxJob): Promise<SandboxOutcome> {
      role ??= ensureReportRole(db, job.views);
      let login: ReportRole;
      try {
        login = await role;
      } catch (err) {
        role = undefined;
        return { ok: false, kind: 'unavailable', message: messageOf(err) };
      }
      const first = await runAs(db, login, job);
      // Another server process may have set a new password since: set ours again, once.
      if (
        !first.ok &&
        first.kind === 'unavailable' &&
        /password|authentication/i.test(first.message)
      ) {
        role = ensureReportRole(db, job.views);
        return runAs(db, await role, job);
      }
      return first;
    },
  };
}

const { builtins } = pg.types;
const AS_NUMBER: ReadonlySet<number> = new Set([builtins.INT8, builtins.NUMERIC]);
const AS_TEXT: ReadonlySet<number> = new Set([
  builtins.DATE,
  builtins.TIMESTAMP,
  builtins.TIMESTAMPTZ,
]);

/**
 * Counts and sums arrive as int8/numeric text: numbers, for charts (int8 beyond 2^53 stays
 * text). Timestamps as PostgreSQL writes them, not as JS Dates in the server's zone.
 */
const reportTypes: CustomTypesConfig = {
  getTypeParser: (oid: TypeId, format?: TypeFormat): unknown => {
    if (AS_NUMBER.has(oid))
      return (v: string) =>
        oid === builtins.NUMERIC || Number.isSafeInteger(Number(v)) ? Number(v) : v;
    if (AS_TEXT.has(oid)) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

async function runAs(db: Db, role: ReportRole, job: SandboxJob): Promise<SandboxOutcome> {
  if (!db.pgUrl) return { ok: false, kind: 'unavailable', message: 'no PostgreSQL URL' };
  const url = new URL(db.pgUrl);
  url.username = role.name;
  url.password = role.password;
  const order: string[] = [];
  const text = scanReportSql(job.sql, (n) => {
    if (!order.includes(n)) order.push(n);
    return `$${String(order.indexOf(n) + 1)}`;
  }).sql;
  const client = new pg.Client({
    connectionString: url.toString(),
    options: `-c search_path=${quoteIdent(role.schema)}`,
    connectionTimeoutMillis: job.timeoutMs,
    types: reportTypes,
  });
  // A socket error after the answer (the server ending the session) must not crash the site.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    return { ok: false, kind: 'unavailable', message: messageOf(err) };
  }
  try {
    await client.query('begin transaction isolation level repeatable read read only');
    await client.query(`set local statement_timeout = ${String(Math.max(1, job.timeoutMs))}`);
    const result = await client.query<unknown[]>({
      text: `select * from (\n${text}\n) as report limit ${String(job.rowLimit + 1)}`,
      values: order.map((n) => job.values[n] ?? null),
      rowMode: 'array',
    });
    const truncated = result.rows.length > job.rowLimit;
    const rows: ReportCell[][] = result.rows
      .slice(0, job.rowLimit)
      .map((r) => r.map((v) => toCell(v)));
    return { ok: true, columns: result.fields.map((f) => f.name), rows, truncated };
  } catch (err) {
    return outcomeOf(err);
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function outcomeOf(err: unknown): SandboxOutcome {
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  const message = messageOf(err);
  // 57014 query_canceled (statement_timeout); 42501 insufficient_privilege; 25006 read-only
  // transaction; 0A000 a data-modifying WITH that is not at the top level.
  if (code === '57014') return { ok: false, kind: 'timeout', message };
  if (code === '42501' || code === '25006' || code === '0A000')
    return { ok: false, kind: 'refused', message };
  return { ok: false, kind: 'invalid', message };
}
