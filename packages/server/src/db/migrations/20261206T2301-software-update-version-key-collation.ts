import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * software_update.version_key was created as plain `text`: on a PostgreSQL database whose
 * default collation is a language's (en_US.UTF-8), `order by version_key` and range comparisons
 * follow that language's rules instead of byte order, and so not dpkg's version order
 * (debianVersionKey relies on bytes). Every other version_key column is `collate "C"`; this one
 * becomes so too. SQLite compares text as bytes already.
 */
export function softwareUpdateVersionKeyCollationMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`alter table software_update alter column version_key type text collate "C"`.execute(
        db,
      );
    },
  };
}
