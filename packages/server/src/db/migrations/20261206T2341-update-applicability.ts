import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Server-side applicability per DISTINCT package set (issue 10, ADR 0047): one row per set and
 * update that is installed or required on that set (no row: not required), and the catalog
 * version each set was computed against, so a sync that adds updates and a new set each cost
 * only their own join. Devices read it through device.package_set_id.
 */
export function updateApplicabilityMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_applicability')
        .addColumn('set_id', 'text', (c) =>
          c.notNull().references('package_set.id').onDelete('cascade'),
        )
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_applicability_pk', ['update_id', 'set_id'])
        .execute();
      await db.schema
        .createIndex('update_applicability_by_set')
        .on('update_applicability')
        .column('set_id')
        .execute();
      await db.schema
        .createTable('update_applicability_set')
        .addColumn('set_id', 'text', (c) =>
          c.primaryKey().references('package_set.id').onDelete('cascade'),
        )
        .addColumn('catalog_version', 'integer', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
