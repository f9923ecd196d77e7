import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The driver catalog (issue 11, ADR 0055): driver packages (.deb of kernel modules and firmware)
 * with each module's modalias patterns as rows, so the site matches inventoried hardware against
 * them. The package file itself is content (content_file): the foreign key keeps the library's
 * clean-up from removing a file a driver still holds.
 */
export function driverCatalogMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('driver')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('package', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('architecture', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().references('content_file.sha256'))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('firmware_files', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('driver_package_version_arch', ['package', 'version', 'architecture'])
        .execute();
      await db.schema
        .createTable('driver_module')
        .addColumn('driver_id', 'text', (c) =>
          c.notNull().references('driver.id').onDelete('cascade'),
        )
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kernel_release', 'text')
        .addColumn('version', 'text')
        .addColumn('description', 'text')
        .addColumn('license', 'text')
        .addColumn('firmware', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('driver_module_pk', ['driver_id', 'path'])
        .execute();
      await db.schema
        .createTable('driver_alias')
        .addColumn('driver_id', 'text', (c) =>
          c.notNull().references('driver.id').onDelete('cascade'),
        )
        .addColumn('module', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('driver_alias_driver')
        .on('driver_alias')
        .column('driver_id')
        .execute();
    },
  };
}
