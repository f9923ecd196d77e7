import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Boot images, unknown computers and imported computers (issue 11, ADR 0065). A boot image row
 * is one version of a named image; its files are a content-library package (ON DELETE SET NULL:
 * deleting the package in the library leaves the row, which then has nothing to serve). The
 * boot key is stored as its SHA-256 only. MAC lists are JSON; the MAC and SMBIOS UUID columns of
 * imported computers are unique, so two imports can never claim the same machine.
 */
export function bootImagesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('boot_image')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull())
        .addColumn('progress_text', 'text', (c) => c.notNull())
        .addColumn('suite', 'text', (c) => c.notNull())
        .addColumn('mirror', 'text', (c) => c.notNull())
        .addColumn('extra_packages', 'text', (c) => c.notNull())
        .addColumn('driver_ids', 'text', (c) => c.notNull())
        .addColumn('site_url', 'text', (c) => c.notNull())
        .addColumn('boot_key_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('package_id', 'text', (c) =>
          c.references('software_package.id').onDelete('set null'),
        )
        .addColumn('files', 'text', (c) => c.notNull())
        .addColumn('root_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('built_at', 'text')
        .addUniqueConstraint('boot_image_name_version', ['name', 'version'])
        .execute();
      await db.schema
        .createTable('imported_computer')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('mac', 'text', (c) => c.unique())
        .addColumn('smbios_uuid', 'text', (c) => c.unique())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('last_boot_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('unknown_computer')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('identity', 'text', (c) => c.notNull().unique())
        .addColumn('smbios_uuid', 'text')
        .addColumn('macs', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('firmware', 'text', (c) => c.notNull())
        .addColumn('modaliases', 'text', (c) => c.notNull())
        .addColumn('boot_image_id', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
