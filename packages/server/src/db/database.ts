import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  Transaction,
  sql,
  type SqliteDatabase as SqliteDialectDatabase,
} from 'kysely';
import pg from 'pg';
import type { Database } from './tables/index.js';
import { migrations } from './migrations/index.js';
import { PRIVATE_DIR_MODE, ensurePrivateFile, tightenIfExists } from '../site/private-files.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The PostgreSQL advisory lock migrations run under. Test support drops test schemas under it too:
 * Kysely's migrator introspects every schema and fails if one disappears mid-query.
 */
export const MIGRATIONS_LOCK_ID = 727001;

/**
 * Where a repository function runs its SQL: the site's connection pool or a transaction on it.
 * Repository functions take a `Queryable`, so the service decides which calls share a
 * transaction (ADR 0017).
 */
export type Queryable = Kysely<Database>;

/**
 * The one transaction type: a function that must run inside a transaction (a row lock, writes
 * that stand or fall together) takes a `Tx`, so calling it outside one is a compile error.
 */
export type Tx = Transaction<Database>;

/**
 * Runs `work` as one unit of work: in a new transaction, or inside the caller's when `db` is
 * already one. Joining matters on SQLite, where the pool is a single connection: a nested
 * `transaction()` would wait for itself. The check-in path uses `inWriteTransaction`
 * (group-commit.ts) instead, which shares one commit between concurrent reports on SQLite.
 */
export function inTransaction<T>(db: Queryable, work: (tx: Tx) => Promise<T>): Promise<T> {
  return isTransaction(db) ? work(db) : db.transaction().execute(work);
}

/** `instanceof` alone narrows to `Transaction<any>`; this keeps the row types. */
function isTransaction(db: Queryable): db is Tx {
  return db instanceof Transaction;
}

/**
 * PostgreSQL: takes an advisory lock named `name` until `tx` ends, so processes starting
 * together do the same one-off work one after the other. SQLite needs none: its one writer
 * already serialises the transactions.
 */
export async function lockUntilCommit(tx: Tx, dialect: Dialect, name: string): Promise<void> {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(tx);
}

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The URL without credentials, for logs and the site page. */
  description: string;
  /** PostgreSQL only: the pool, for LISTEN/NOTIFY and advisory locks on a dedicated client. */
  pgPool?: pg.Pool;
  /** PostgreSQL only: the schema all tables live in (tests use one schema per test). */
  pgSchema?: string;
  /** PostgreSQL only: the connection URL without `schema` (report sandbox logins, ADR 0054). */
  pgUrl?: string;
  /** SQLite only: the database file (the report sandbox opens its own connection, ADR 0054). */
  sqliteFile?: string;
  close(): Promise<void>;
}

// PostgreSQL int8 (bigserial ids, count(*)) comes back as text by default; ids stay text
// (they are strings in the API) and counts are converted where they are read.

/**
 * Opens the site database. `url` is `postgres://...` (optionally `?schema=name`) or a SQLite
 * file path (`sqlite:/path/steward.db` or a plain path).
 */
export async function openDatabase(url: string): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') {
    // SQLite gives -wal and -shm the mode of the database file: made 0600 here, they are too.
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    ensurePrivateFile(file);
    for (const suffix of ['-wal', '-shm', '-journal']) tightenIfExists(file + suffix);
  }
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers run beside the single writer; synchronous=FULL makes every acknowledged
  // commit durable across a crash or power loss (DESIGN.md invariant 2).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  // Sorts and temporary indexes in memory rather than temp files (thousands of writes per second).
  sqlite.pragma('temp_store = MEMORY');
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return {
    kysely,
    dialect: 'sqlite',
    description: `sqlite:${file}`,
    sqliteFile: file,
    close: () => kysely.destroy(),
  };
}

async function openPostgres(url: string): Promise<Db> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  }
  const poolConfig: pg.PoolConfig = { connectionString: parsed.toString(), max: 10 };
  if (schema) {
    const admin = new pg.Client({ connectionString: parsed.toString() });
    await admin.connect();
    await admin.query(`create schema if not exists "${schema}"`);
    await admin.end();
    poolConfig.options = `-c search_path="${schema}"`;
  }
  const pool = new pg.Pool(poolConfig);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(parsed.toString());
  safe.password = '';
  return {
    kysely,
    dialect: 'postgres',
    description: safe.toString() + (schema ? ` (schema ${schema})` : ''),
    pgPool: pool,
    pgUrl: parsed.toString(),
    ...(schema ? { pgSchema: schema } : {}),
    close: () => kysely.destroy(),
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every statement anew; with better-sqlite3 preparing runs on the main thread
 * and was 7-12% of the server's time under load. The same SQL text reuses its statement (one
 * connection, used by one query at a time, so a statement is never used twice at once).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/** The migrator over every migration of `migrations/index.ts`, in the site's own schema. */
export function createMigrator(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    provider: { getMigrations: () => Promise.resolve(migrations(db.dialect)) },
    // Without the schema, Kysely looks for its bookkeeping tables in every schema and can find
    // another site's (tests run one schema each on one database).
    ...(db.pgSchema ? { migrationTableSchema: db.pgSchema } : {}),
  });
}

/** Applies every pending migration (forward only). Safe to run from several processes at once. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = createMigrator(db);
  const run = async () => {
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error)
      throw new Error(
        `migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      );
  };
  if (db.dialect === 'postgres') {
    // Several server processes may start together against one PostgreSQL.
    await db.kysely.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATIONS_LOCK_ID})`.execute(conn);
      try {
        await run();
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATIONS_LOCK_ID})`.execute(conn);
      }
    });
  } else {
    await run();
  }
}

/** count(*) is bigint (text) on PostgreSQL. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  return 0;
}
