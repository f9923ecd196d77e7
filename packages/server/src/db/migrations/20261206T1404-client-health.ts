import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client health (issue 9): client settings objects assigned to collections with a priority
 * (ADR 0025).
 */
export function clientHealthMigration(dialect: Dialect): Migration {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      // ---- client settings per collection ----
      await db.schema
        .createTable('client_settings_object')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        // Unique: precedence between two objects is never a tie.
        .addColumn('priority', 'integer', (c) => c.notNull().unique())
        .addColumn('settings', json, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('client_settings_assignment')
        .addColumn('object_id', 'text', (c) =>
          c.notNull().references('client_settings_object.id').onDelete('cascade'),
        )
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('assigned_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_settings_assignment_pk', ['object_id', 'collection_id'])
        .execute();
      // The policy reads assignments by collection (a device's collections).
      await db.schema
        .createIndex('client_settings_assignment_collection')
        .on('client_settings_assignment')
        .column('collection_id')
        .execute();
    },
  };
}
