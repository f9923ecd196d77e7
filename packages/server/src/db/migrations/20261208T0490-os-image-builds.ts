import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Default OS images built by the site (issue 11, ADR 0093): one row per build, its progress
 * and, once ready, the OS image version it recorded (by id, kept as text: the image may be
 * deleted later while the build's history stays).
 */
export function osImageBuildsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('os_image_build')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('mirror', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull())
        .addColumn('progress_text', 'text', (c) => c.notNull())
        .addColumn('from_cache', 'integer', (c) => c.notNull())
        .addColumn('os_image_id', 'text')
        .addColumn('os_image_version', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('os_image_build_name')
        .on('os_image_build')
        .columns(['name', 'status'])
        .execute();
    },
  };
}
