import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function initialMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const json = pg ? sql`jsonb` : sql`text`;
  // Byte-order collation for version keys and names compared with like/range.
  const binaryText = pg ? sql`text collate "C"` : sql`text`;
  const autoId = (db: Kysely<unknown>, table: string) =>
    pg
      ? db.schema.createTable(table).addColumn('id', 'bigserial', (c) => c.primaryKey())
      : db.schema
          .createTable(table)
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('site_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('admin_user')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text')
        .execute();

      await db.schema
        .createTable('admin_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) =>
          c.notNull().references('admin_user.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();

      await autoId(db, 'audit_log')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('details', json, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

      await db.schema
        .createTable('enrolment_token')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('max_uses', 'integer', (c) => c.notNull())
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('package_set')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('package_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('package_set_item')
        .addColumn('set_id', 'text', (c) =>
          c.notNull().references('package_set.id').onDelete('cascade'),
        )
        .addColumn('manager', 'text', (c) => c.notNull())
        .addColumn('name', binaryText, (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('version_key', binaryText, (c) => c.notNull())
        .addPrimaryKeyConstraint('package_set_item_pk', [
          'set_id',
          'manager',
          'name',
          'arch',
          'version',
        ])
        .execute();
      // Queries ask "which sets contain package X (at version >= V)": answer per distinct set.
      await db.schema
        .createIndex('package_set_item_name')
        .on('package_set_item')
        .columns(['name', 'version_key', 'set_id'])
        .execute();

      await db.schema
        .createTable('device')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('enrolled_at', 'text', (c) => c.notNull())
        .addColumn('enrolment_token_id', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('os_family', 'text')
        .addColumn('os_name', 'text')
        .addColumn('os_version', 'text')
        .addColumn('machine_type', 'text')
        .addColumn('cpu_model', 'text')
        .addColumn('memory_total_mb', 'double precision')
        .addColumn('ip_addresses', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_logged_on_user', 'text')
        .addColumn('agent_version', 'text')
        .addColumn('package_set_id', 'text', (c) => c.references('package_set.id'))
        .addColumn('package_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('report_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('inventory_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('inventory_resync', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('policy_version', 'integer')
        .addColumn('last_policy_request_at', 'text')
        .addColumn('last_heartbeat_at', 'text')
        .addColumn('last_inventory_at', 'text')
        .addColumn('last_status_at', 'text')
        .addColumn('last_contact_at', 'text')
        .addColumn('push_seen_at', 'text')
        .execute();
      await db.schema.createIndex('device_name').on('device').column('name').execute();
      await db.schema
        .createIndex('device_last_contact')
        .on('device')
        .column('last_contact_at')
        .execute();
      await db.schema
        .createIndex('device_package_set')
        .on('device')
        .column('package_set_id')
        .execute();

      await db.schema
        .createTable('device_inventory')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('class_name', 'text', (c) => c.notNull())
        .addColumn('data', json, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_inventory_pk', ['device_id', 'class_name'])
        .execute();
      await db.schema
        .createIndex('device_inventory_class')
        .on('device_inventory')
        .columns(['class_name', 'device_id'])
        .execute();

      await autoId(db, 'inventory_change')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('class_name', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('added', json, (c) => c.notNull())
        .addColumn('removed', json, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_change_device')
        .on('inventory_change')
        .columns(['device_id', 'id'])
        .execute();

      await db.schema
        .createTable('device_action')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addColumn('completed_at', 'text')
        .addColumn('not_connected', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('device_action_device')
        .on('device_action')
        .columns(['device_id', 'requested_at'])
        .execute();

      await autoId(db, 'status_message')
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('component', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('device_seq', 'bigint')
        .addColumn('machine', 'text', (c) => c.notNull())
        .addColumn('site_code', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('insertion_strings', json, (c) => c.notNull())
        .addColumn('attributes', json, (c) => c.notNull())
        .execute();
      for (const col of ['device_id', 'message_id', 'component', 'severity'] as const) {
        await db.schema
          .createIndex(`status_message_${col}`)
          .on('status_message')
          .columns([col, 'id'])
          .execute();
      }
      await db.schema.createIndex('status_message_at').on('status_message').column('at').execute();
      // Exactly-once ingest of agent messages: a re-sent item hits this and is skipped. Site
      // messages have no device sequence (NULLs never conflict).
      await db.schema
        .createIndex('status_message_device_seq')
        .on('status_message')
        .columns(['device_id', 'device_seq'])
        .unique()
        .execute();

      await db.schema
        .createTable('inventory_class')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('definition', json, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('collection')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('limiting_collection_id', 'text', (c) => c.references('collection.id'))
        .addColumn('rules', json, (c) => c.notNull())
        .addColumn('evaluation_interval_minutes', 'integer', (c) => c.notNull())
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_evaluated_at', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('collection_member')
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('since', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('collection_member_pk', ['collection_id', 'device_id'])
        .execute();
      await db.schema
        .createIndex('collection_member_device')
        .on('collection_member')
        .column('device_id')
        .execute();

      await autoId(db, 'collection_membership_change')
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('collection_membership_change_collection')
        .on('collection_membership_change')
        .columns(['collection_id', 'id'])
        .execute();

      await db.schema
        .createTable('collection_revision')
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addColumn('definition', json, (c) => c.notNull())
        .addPrimaryKeyConstraint('collection_revision_pk', ['collection_id', 'revision'])
        .execute();

      await db.schema
        .createTable('client_activity_snapshot')
        .addColumn('collection_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('inactive', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_activity_snapshot_pk', ['collection_id', 'at'])
        .execute();
    },
  };
}
