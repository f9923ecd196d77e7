import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Task-sequence deployments (issue 11, ADR 0076): where a deployment is offered (clients, media
 * and PXE, or both), its rerun behaviour, whether it is enabled and its PXE password (a salted
 * hash), and the boot image a sequence version starts in. One column per ALTER: SQLite adds
 * one column per statement.
 */
export function taskSequenceDeploymentsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('task_sequence_deployment')
        .addColumn('available_to', 'text', (c) => c.notNull().defaultTo('clients'))
        .execute();
      await db.schema
        .alterTable('task_sequence_deployment')
        .addColumn('rerun', 'text', (c) => c.notNull().defaultTo('never'))
        .execute();
      await db.schema
        .alterTable('task_sequence_deployment')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .alterTable('task_sequence_deployment')
        .addColumn('pxe_password', 'text')
        .execute();
      await db.schema
        .alterTable('task_sequence_deployment')
        .addColumn('updated_at', 'text')
        .execute();
      await db.schema
        .alterTable('task_sequence_version')
        .addColumn('boot_image_id', 'text')
        .execute();
      await db.schema
        .createIndex('task_sequence_deployment_collection')
        .on('task_sequence_deployment')
        .column('collection_id')
        .execute();
    },
  };
}
