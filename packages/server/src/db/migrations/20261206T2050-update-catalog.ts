import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The update catalog (issue 10, ADR 0039): update sources (apt repository suites with their
 * keyring), their syncs (jobs with progress), and the updates they publish: one row per source
 * package version per source, with its binaries, superseded when a newer version appears.
 */
export function updateCatalogMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_source')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('suite', 'text', (c) => c.notNull())
        .addColumn('components', 'text', (c) => c.notNull())
        .addColumn('architectures', 'text', (c) => c.notNull())
        .addColumn('keyring', 'text', (c) => c.notNull())
        .addColumn('sync_interval_hours', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('release_sha256', 'text')
        .addColumn('signed_by', 'text')
        .addColumn('last_sync_id', 'text')
        .addColumn('last_sync_started_at', 'text')
        .execute();

      await db.schema
        .createTable('update_sync')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_id', 'text', (c) =>
          c.notNull().references('update_source.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        // Written with every progress step: a running sync whose process died stops moving.
        .addColumn('progress_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('indexes_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('indexes_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('packages_read', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('superseded', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failure', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createIndex('update_sync_source_started')
        .on('update_sync')
        .columns(['source_id', 'started_at'])
        .execute();

      await db.schema
        .createTable('software_update')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_id', 'text', (c) =>
          c.notNull().references('update_source.id').onDelete('cascade'),
        )
        .addColumn('package', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('version_key', 'text', (c) => c.notNull())
        .addColumn('classification', 'text', (c) => c.notNull())
        .addColumn('binaries', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('superseded_at', 'text')
        .addColumn('superseded_by', 'text')
        .addUniqueConstraint('software_update_source_package_version', [
          'source_id',
          'package',
          'version',
        ])
        .execute();
      await db.schema
        .createIndex('software_update_package')
        .on('software_update')
        .columns(['package', 'version_key'])
        .execute();
    },
  };
}
