import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Dialect } from '../database.js';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import type { SqlType } from './columns.js';
import { tables } from './index.js';

// The row types are derived from `tables`; this test holds `tables` to what the migrations build,
// so a migration without its table description (or the other way round) fails the build.

/** The basic type each dialect reports for a described column (SQLite: the declared type). */
const storedAs: Record<Dialect, Record<SqlType, readonly string[]>> = {
  sqlite: {
    text: ['text'],
    integer: ['integer'],
    // The software-distribution migration declares int8 columns `integer` on SQLite (same affinity).
    bigint: ['bigint', 'integer'],
    real: ['double precision'],
    json: ['text'],
    'auto-id': ['integer'],
  },
  postgres: {
    text: ['text'],
    integer: ['int4'],
    bigint: ['int8'],
    real: ['float8'],
    json: ['jsonb'],
    'auto-id': ['int8'],
  },
};

interface Described {
  type: string;
  nullable: boolean;
  defaulted: boolean;
}

async function primaryKeyColumns(db: Db, table: string): Promise<Set<string>> {
  if (db.dialect === 'postgres') return new Set();
  const rows = await sql<{
    name: string;
  }>`select name from pragma_table_info(${table}) where pk > 0`.execute(db.kysely);
  return new Set(rows.rows.map((r) => r.name));
}

async function migratedSchema(db: Db): Promise<Record<string, Record<string, Described>>> {
  const out: Record<string, Record<string, Described>> = {};
  // On PostgreSQL the introspection lists every schema: other tests' sites live beside this one.
  const own = (await db.kysely.introspection.getTables()).filter(
    // Report views (v_*) are documented in docs/reports.md, not described as tables.
    (t) => !t.isView && (db.pgSchema === undefined || t.schema === db.pgSchema),
  );
  for (const t of own) {
    // SQLite lets a non-integer primary key hold NULL unless declared NOT NULL; the migrations
    // rely on the key, and PostgreSQL makes key columns NOT NULL, so a key counts as NOT NULL.
    const keys = await primaryKeyColumns(db, t.name);
    const columns: Record<string, Described> = {};
    for (const c of t.columns) {
      columns[c.name] = {
        type: c.dataType.toLowerCase(),
        nullable: c.isNullable && !keys.has(c.name),
        // A bigserial's default is its sequence: the auto-id type says it already.
        defaulted: c.hasDefaultValue && !c.isAutoIncrementing,
      };
    }
    out[t.name] = columns;
  }
  return out;
}

describe.each(testDialects)('table descriptions match the migrated schema (%s)', (dialect) => {
  let db: Db | undefined;
  let cleanup = () => Promise.resolve();
  let schema: Record<string, Record<string, Described>> = {};

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresReachable())) {
      console.warn('PostgreSQL unreachable: table descriptions not checked on PostgreSQL');
      return;
    }
    const made = await createTestContext(dialect);
    db = made.db;
    cleanup = made.cleanup;
    schema = await migratedSchema(db);
  });
  afterAll(() => cleanup());

  it('describes every table the migrations create, and no other', () => {
    if (!db) return;
    expect(Object.keys(tables).sort()).toEqual(Object.keys(schema).sort());
  });

  it.each(Object.entries(tables))('%s: columns, types, nullability, defaults', (name, columns) => {
    if (!db) return;
    const actual = schema[name] ?? {};
    expect(Object.keys(columns).sort(), `columns of ${name}`).toEqual(Object.keys(actual).sort());
    for (const [column, described] of Object.entries(columns)) {
      const found = actual[column];
      const where = `${name}.${column}`;
      expect(storedAs[dialect][described.sql], `type of ${where}`).toContain(found?.type);
      expect(found?.nullable, `nullability of ${where}`).toBe(described.nullable);
      if (described.sql !== 'auto-id') {
        expect(found?.defaulted, `default of ${where}`).toBe(described.defaulted);
      }
    }
  });
});
