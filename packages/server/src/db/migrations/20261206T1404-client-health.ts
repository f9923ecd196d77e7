import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client health (issue 9): client settings objects assigned to collections with a priority
 * (ADR 0025), and the client check results devices report (latest per check, and every run).
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

      // ---- client check results (the ccmeval analog) ----
      const big = dialect === 'postgres' ? 'bigint' : 'integer';
      // Every run a device reported, idempotent on its outbox sequence number.
      await db.schema
        .createTable('client_check_run')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull())
        .addColumn('remediated', 'integer', (c) => c.notNull())
        .addColumn('results', json, (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_check_run_pk', ['device_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('client_check_run_at')
        .on('client_check_run')
        .column('at')
        .execute();
      // The latest outcome of each check per device: what summaries and reports read.
      await db.schema
        .createTable('client_check_state')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_check_state_pk', ['device_id', 'check_name'])
        .execute();
      await db.schema
        .createIndex('client_check_state_check')
        .on('client_check_state')
        .columns(['check_name', 'outcome'])
        .execute();
    },
  };
}
