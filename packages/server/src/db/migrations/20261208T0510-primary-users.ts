import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * User device affinity (issue 11): a device's primary users, one row per user and source (the
 * administrator's list and the one a task sequence's STWPrimaryUsers set); gone with the device.
 */
export function primaryUsersMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('device_primary_user')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_primary_user_pk', ['device_id', 'source', 'user_name'])
        .execute();
      // "Which devices is this user primary to" reads by user.
      await db.schema
        .createIndex('device_primary_user_user')
        .on('device_primary_user')
        .column('user_name')
        .execute();
    },
  };
}
