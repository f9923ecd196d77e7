import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom (third-party) updates (issue 10, ADR 0059): the administrator-defined catalog kind.
 * Vendor, product and version are the update's identity across sites (export/import match on
 * it), so they are unique together. Rule sets and references are JSON text: read whole, never
 * queried. The programs are the content library's; deleting a program leaves the update without
 * it (set null) rather than blocking the delete or removing the update.
 */
export function customUpdatesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('custom_update')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('classification', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('refs', 'text', (c) => c.notNull())
        .addColumn('detection', 'text', (c) => c.notNull())
        .addColumn('applicability', 'text')
        .addColumn('install_program_id', 'text', (c) =>
          c.references('program.id').onDelete('set null'),
        )
        .addColumn('uninstall_program_id', 'text', (c) =>
          c.references('program.id').onDelete('set null'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('custom_update_identity', ['vendor', 'product', 'version'])
        .execute();
    },
  };
}
