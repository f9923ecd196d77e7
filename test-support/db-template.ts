/**
 * Migrated database templates, one per dialect, made once per test run (ADR 0087): a test site
 * starts from a copy of a database the real migrations built, instead of running every migration
 * again in every site. The site's server still runs `migrateToLatest` at start (then a no-op
 * that reads the migrations table); the migrations' own tests migrate from empty as before.
 *
 * SQLite: a migrated, checkpointed database file, copied into the site's data folder.
 * PostgreSQL: a schema migrated once and dumped (`pg_dump --inserts`) with its name replaced by
 * each site's schema; without pg_dump, sites run the migrations themselves.
 *
 * `prepareDbTemplates` runs in vitest's global setup (vitest.config.ts) and hands the template
 * folder to the test processes in STEWARD_TEST_DB_TEMPLATE; without that variable (a test file
 * run some other way) nothing changes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const TEMPLATE_ENV = 'STEWARD_TEST_DB_TEMPLATE';
const SQLITE_FILE = 'steward.db';
const PG_DUMP_FILE = 'postgres.sql';
const PG_SCHEMA_FILE = 'postgres.schema';

/**
 * Builds the templates (PostgreSQL's only with a `postgresUrl`, given when it answers); returns
 * the folder (also set in STEWARD_TEST_DB_TEMPLATE) and a cleanup.
 */
export async function prepareDbTemplates(
  postgresUrl: string | undefined,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  // Imported here so that a test process that only copies templates never loads the server.
  const { openDatabase, migrateToLatest } = await import('@steward/server');
  const dir = mkdtempSync(join(tmpdir(), 'steward-db-template-'));
  const sqlite = await openDatabase(join(dir, SQLITE_FILE));
  await migrateToLatest(sqlite);
  // Closing the last connection checkpoints the WAL into the file and removes it: one file to copy.
  await sqlite.close();
  let schema: string | undefined;
  if (postgresUrl && pgDumpAvailable()) {
    schema = `tmpl_${randomBytes(8).toString('hex')}`;
    const db = await openDatabase(`${postgresUrl}?schema=${schema}`);
    try {
      await migrateToLatest(db);
    } finally {
      await db.close();
    }
    const dump = execFileSync(
      'pg_dump',
      ['--dbname', postgresUrl, '--schema', schema, '--inserts', '--no-owner', '--no-privileges'],
      { maxBuffer: 64 * 1024 * 1024 },
    ).toString();
    // psql meta-commands (a backslash line such as restrict, from pg_dump 15.14 on) are for psql.
    const sqlText = dump
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n');
    writeFileSync(join(dir, PG_DUMP_FILE), sqlText);
    writeFileSync(join(dir, PG_SCHEMA_FILE), schema);
  }
  process.env[TEMPLATE_ENV] = dir;
  return {
    dir,
    async cleanup() {
      if (schema) {
        const c = new pg.Client({ connectionString: postgresUrl ?? '' });
        await c.connect();
        await c.query(`drop schema if exists "${schema}" cascade`).finally(() => c.end());
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgDumpAvailable(): boolean {
  try {
    execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** SQLite: copies the migrated template to `<dataDir>/steward.db`; false without a template. */
export function seedSqliteSite(dataDir: string): boolean {
  const dir = process.env[TEMPLATE_ENV];
  if (!dir || !existsSync(join(dir, SQLITE_FILE))) return false;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE);
  copyFileSync(join(dir, SQLITE_FILE), file);
  chmodSync(file, 0o600);
  return true;
}

/** PostgreSQL: creates `schema` from the migrated template's dump; false without a template. */
export async function seedPostgresSite(postgresUrl: string, schema: string): Promise<boolean> {
  const dir = process.env[TEMPLATE_ENV];
  if (!dir || !existsSync(join(dir, PG_DUMP_FILE))) return false;
  const from = readFileSync(join(dir, PG_SCHEMA_FILE), 'utf8');
  // The template's name is random (tmpl_ and 16 hex digits): it occurs nowhere but as the schema.
  const script = readFileSync(join(dir, PG_DUMP_FILE), 'utf8').replaceAll(from, schema);
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    await c.query(script);
  } finally {
    await c.end();
  }
  return true;
}
