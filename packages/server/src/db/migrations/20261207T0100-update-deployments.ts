import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Update deployments (issue 10, ADR 0056). Each owns one software deployment (`deployment_id`,
 * unique) that carries its schedule, options and per-device states; this table adds what is
 * particular to updates. The deployed updates are kept per deployment (a group may change
 * afterwards), each removable on its own (`removed_at`). The group is remembered without a
 * foreign key: deleting a group leaves its deployments working from what they hold.
 */
export function updateDeploymentsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_deployment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().unique().references('deployment.id').onDelete('cascade'),
        )
        .addColumn('package_id', 'text', (c) => c.notNull())
        /** The site repository key's armoured public half: what the agents trust for it. */
        .addColumn('repo_key', 'text', (c) => c.notNull())
        /** JSON object of UpdateDeploymentOptions (read whole, never queried). */
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('update_deployment_update')
        .addColumn('update_deployment_id', 'text', (c) =>
          c.notNull().references('update_deployment.id').onDelete('cascade'),
        )
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('removed_at', 'text')
        .addPrimaryKeyConstraint('update_deployment_update_pk', [
          'update_deployment_id',
          'update_id',
        ])
        .execute();
      await db.schema
        .createIndex('update_deployment_update_update')
        .on('update_deployment_update')
        .column('update_id')
        .execute();
    },
  };
}
