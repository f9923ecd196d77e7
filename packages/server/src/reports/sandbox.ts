import type { ReportCell } from '@steward/protocol';
import type { Db } from '../db/database.js';
import { postgresSandbox } from './sandbox-postgres.js';
import { sqliteSandbox } from './sandbox-sqlite.js';

/**
 * Runs report SQL read-only, with a time limit and a row limit, seeing only the report views
 * (ADR 0054). The SQL has passed `scanReportSql` (one SELECT/WITH statement); the sandbox is the
 * boundary that holds even when that reading is fooled.
 */
export interface ReportSandbox {
  run(job: SandboxJob): Promise<SandboxOutcome>;
}

export interface SandboxJob {
  /** One SELECT or WITH statement, no trailing semicolon; parameters as `:name`. */
  sql: string;
  /** Parameter values by name (every name the SQL uses). */
  values: Record<string, string | number | null>;
  rowLimit: number;
  timeoutMs: number;
  /** The relations the SQL may read: the report views. */
  views: readonly string[];
}

export type SandboxOutcome =
  | { ok: true; columns: string[]; rows: ReportCell[][]; truncated: boolean }
  | { ok: false; kind: 'invalid' | 'refused' | 'timeout' | 'unavailable'; message: string };

export function sandboxFor(db: Db): ReportSandbox {
  return db.dialect === 'postgres' ? postgresSandbox(db) : sqliteSandbox(db);
}

/** A database value as a report cell: text, number, boolean or null; anything else as text. */
export function toCell(value: unknown): ReportCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value);
}
