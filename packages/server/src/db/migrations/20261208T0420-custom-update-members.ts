import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom updates as members of update groups and update deployments (issue 10, ADR 0083). Two
 * tables beside the apt ones, not a kind column in them: `update_group_member.update_id` and
 * `update_deployment_update.update_id` reference `software_update`, and ADR 0059 keeps the two
 * catalogs apart so no apt query needs a "but not custom" branch. A member row goes with its
 * custom update and with its group or deployment; `removed_at` marks one removed from a
 * deployment while the others continue, as for apt updates.
 */
export function customUpdateMembersMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_group_custom_member')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('update_group.id').onDelete('cascade'),
        )
        .addColumn('custom_update_id', 'text', (c) =>
          c.notNull().references('custom_update.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_group_custom_member_pk', ['group_id', 'custom_update_id'])
        .execute();
      await db.schema
        .createIndex('update_group_custom_member_update')
        .on('update_group_custom_member')
        .column('custom_update_id')
        .execute();
      await db.schema
        .createTable('update_deployment_custom_update')
        .addColumn('update_deployment_id', 'text', (c) =>
          c.notNull().references('update_deployment.id').onDelete('cascade'),
        )
        .addColumn('custom_update_id', 'text', (c) =>
          c.notNull().references('custom_update.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('removed_at', 'text')
        .addPrimaryKeyConstraint('update_deployment_custom_update_pk', [
          'update_deployment_id',
          'custom_update_id',
        ])
        .execute();
      await db.schema
        .createIndex('update_deployment_custom_update_update')
        .on('update_deployment_custom_update')
        .column('custom_update_id')
        .execute();
    },
  };
}
