import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Update groups (issue 10): named sets of catalog updates approved and deployed together. A
 * member row goes with its update (an update removed with its source leaves no dangling member)
 * and with its group; `position` keeps the order administrators added them in.
 */
export function updateGroupsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_group')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('update_group_member')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('update_group.id').onDelete('cascade'),
        )
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_group_member_pk', ['group_id', 'update_id'])
        .execute();
      await db.schema
        .createIndex('update_group_member_update')
        .on('update_group_member')
        .column('update_id')
        .execute();
    },
  };
}
