import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * OS images as site content (issue 11, ADR 0085). One row per version of a named image; its
 * manifest and archives are a content-library package of their own (ON DELETE SET NULL, as boot
 * images: deleting the package in the library leaves the row, which then has nothing to
 * distribute). The OS facts are columns (lists, filters); the manifest is kept whole as JSON.
 */
export function osImagesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('os_image')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('os_id', 'text', (c) => c.notNull())
        .addColumn('os_version_id', 'text', (c) => c.notNull())
        .addColumn('os_pretty_name', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .addColumn('archive_bytes', 'bigint', (c) => c.notNull())
        .addColumn('used_bytes', 'bigint', (c) => c.notNull())
        .addColumn('package_id', 'text', (c) =>
          c.references('software_package.id').onDelete('set null'),
        )
        .addColumn('package_version_id', 'text', (c) =>
          c.references('package_version.id').onDelete('set null'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('os_image_name_version', ['name', 'version'])
        .execute();
    },
  };
}
