import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Catalog versions for the agent's scan (issue 10, ADR 0046): a version number that increases
 * whenever the set of current updates changes, and each update's membership (added at one
 * version, removed at a later one), so an agent holding version N fetches only what changed.
 * No foreign key to software_update: a deleted update must still be listed as removed.
 */
export function updateCatalogVersionsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_catalog_version')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('update_count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('update_catalog_member')
        .addColumn('update_id', 'text', (c) => c.notNull())
        .addColumn('added_version', 'integer', (c) => c.notNull())
        .addColumn('removed_version', 'integer')
        .addPrimaryKeyConstraint('update_catalog_member_pk', ['update_id', 'added_version'])
        .execute();
      await db.schema
        .createIndex('update_catalog_member_added')
        .on('update_catalog_member')
        .column('added_version')
        .execute();
      await db.schema
        .createIndex('update_catalog_member_removed')
        .on('update_catalog_member')
        .column('removed_version')
        .execute();
    },
  };
}
