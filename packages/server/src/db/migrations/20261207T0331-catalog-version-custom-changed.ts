import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom updates travel in the agent's catalog (ADR 0074): a catalog version also marks whether
 * the custom updates' rules changed at it (1) or not (0), so a delta carries them only when they
 * changed since the version the agent holds.
 */
export function catalogVersionCustomChangedMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('update_catalog_version')
        .addColumn('custom_changed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
