import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * User state (issue 11, ADR 0096): a DP's state migration point role (one row per DP that has
 * one; none = the declared defaults, role off), one record per user-state capture (its archive
 * kept encrypted on that DP, its key sealed with the site master key) and the computer
 * associations of the replace scenario.
 */
export function userStateMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dp_state_migration')
        .addColumn('dp_id', 'text', (c) =>
          c.primaryKey().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('storage_folder', 'text', (c) => c.notNull())
        .addColumn('max_clients', 'integer', (c) => c.notNull())
        .addColumn('retention_days', 'integer', (c) => c.notNull())
        .addColumn('min_free_mib', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_state_record')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_computer_id', 'text', (c) => c.notNull())
        .addColumn('source_name', 'text', (c) => c.notNull())
        .addColumn('destination_computer_id', 'text', (c) => c.notNull())
        .addColumn('destination_name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('store', 'text', (c) => c.notNull())
        // The archive stays on its DP until the DP's next poll after the record is gone.
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('sealed_key', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint')
        .addColumn('sha256', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('captured_at', 'text')
        .addColumn('restored_at', 'text')
        .addColumn('expired_at', 'text')
        .execute();
      // The restore looks up a destination's captured records; a DP's poll its kept records.
      await db.schema
        .createIndex('user_state_record_destination')
        .on('user_state_record')
        .columns(['destination_computer_id', 'state'])
        .execute();
      await db.schema
        .createIndex('user_state_record_dp')
        .on('user_state_record')
        .columns(['dp_id', 'state'])
        .execute();
      await db.schema
        .createTable('computer_association')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_computer_id', 'text', (c) => c.notNull().unique())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('source_name', 'text', (c) => c.notNull())
        .addColumn('destination_computer_id', 'text', (c) => c.notNull())
        .addColumn('destination_kind', 'text', (c) => c.notNull())
        .addColumn('destination_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
