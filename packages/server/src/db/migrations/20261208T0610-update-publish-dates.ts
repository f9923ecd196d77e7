import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Publish and revision dates of updates (issue 10): `published_at`, the archive's own date (the
 * Release file's Date of the sync that first saw the version; the sync's time when it has
 * none); `index_digest`, what the Packages indexes said of its files (names, architectures,
 * SHA-256), so a later index that changes them for the same version counts as a revision
 * (`revision`, `revised_at`). Updates synced before keep their first-seen time as their publish
 * date and get a digest at their next sync without counting a revision.
 */
export function updatePublishDatesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('software_update').addColumn('published_at', 'text').execute();
      await db.schema.alterTable('software_update').addColumn('revised_at', 'text').execute();
      await db.schema
        .alterTable('software_update')
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('software_update').addColumn('index_digest', 'text').execute();
      await sql`update software_update set published_at = first_seen_at`.execute(db);
    },
  };
}
