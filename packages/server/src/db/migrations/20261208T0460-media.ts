import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Task-sequence media (issue 11, ADR 0089): one row per media build. The ISO is a stored file
 * of the content library (`sha256` references it, so the content clean-up keeps it while the
 * media exist); the boot image is copied by name and version, so media outlive the image they
 * were built from. Names are unique.
 */
export function mediaMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull())
        .addColumn('progress_text', 'text', (c) => c.notNull())
        .addColumn('boot_image_id', 'text', (c) => c.notNull())
        .addColumn('boot_image_name', 'text', (c) => c.notNull())
        .addColumn('boot_image_version', 'integer', (c) => c.notNull())
        .addColumn('site_url', 'text', (c) => c.notNull())
        .addColumn('kernel_args', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint')
        .addColumn('sha256', 'text', (c) => c.references('content_file.sha256'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('built_at', 'text')
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
