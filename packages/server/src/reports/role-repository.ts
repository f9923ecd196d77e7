import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * The PostgreSQL report role's SQL (ADR 0054): a login role per database and schema holding
 * SELECT on the report views and nothing else. Run by the site's own connection, which needs
 * CREATEROLE; the password is new for each process start and lives only in memory.
 */
export interface ReportRole {
  name: string;
  password: string;
  schema: string;
}

/** The report role of a database and schema: stable, so every process uses the same one. */
export function reportRoleName(database: string, schema: string): string {
  const h = createHash('sha256').update(`${database}\u0000${schema}`).digest('hex');
  return `steward_reports_${h.slice(0, 20)}`;
}

/** The database and schema the site's connection works in. */
export async function currentPlace(db: Db): Promise<{ database: string; schema: string }> {
  const where = await sql<{ database: string; schema: string }>`
    select current_database() as database, current_schema() as schema`.execute(db.kysely);
  const here = where.rows[0];
  if (!here) throw new Error('no current schema');
  return here;
}

/** A PostgreSQL identifier, quoted. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export async function ensureReportRole(db: Db, views: readonly string[]): Promise<ReportRole> {
  const here = await currentPlace(db);
  const name = reportRoleName(here.database, here.schema);
  const password = randomBytes(24).toString('base64url');
  const existing = await sql<{ table_name: string }>`
    select table_name from information_schema.views where table_schema = ${here.schema}`.execute(
    db.kysely,
  );
  const present = new Set(existing.rows.map((r) => r.table_name));
  await db.kysely.connection().execute(async (conn) => {
    // Serialises processes creating the role at once (CREATE ROLE has no IF NOT EXISTS).
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      const found = await sql`select 1 from pg_roles where rolname = ${name}`.execute(conn);
      if (found.rows.length === 0) await sql.raw(`create role ${quoteIdent(name)}`).execute(conn);
      await sql
        .raw(
          `alter role ${quoteIdent(name)} login nosuperuser nocreatedb nocreaterole noinherit ` +
            `noreplication nobypassrls connection limit 20 password '${password}'`,
        )
        .execute(conn);
      await sql
        .raw(`grant usage on schema ${quoteIdent(here.schema)} to ${quoteIdent(name)}`)
        .execute(conn);
      for (const view of views)
        if (present.has(view))
          await sql
            .raw(
              `grant select on ${quoteIdent(here.schema)}.${quoteIdent(view)} to ${quoteIdent(name)}`,
            )
            .execute(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn);
    }
  });
  return { name, password, schema: here.schema };
}
