import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Task sequences (issue 11, ADR 0069): a sequence and its saved versions (every save makes one,
 * the steps kept whole as JSON, since they are read and written as one tree), variables on
 * collections and devices, deployments of one version to a collection, and each device's run
 * of a deployment (its progress as the engine last reported it).
 */
export function taskSequencesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('task_sequence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('task_sequence_version')
        .addColumn('sequence_id', 'text', (c) =>
          c.notNull().references('task_sequence.id').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('step_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_sequence_version_pk', ['sequence_id', 'version'])
        .execute();
      for (const [table, target] of [
        ['collection_ts_variable', 'collection'],
        ['device_ts_variable', 'device'],
      ] as const) {
        await db.schema
          .createTable(table)
          .addColumn('target_id', 'text', (c) =>
            c.notNull().references(`${target}.id`).onDelete('cascade'),
          )
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['target_id', 'name'])
          .execute();
      }
      await db.schema
        .createTable('task_sequence_deployment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sequence_id', 'text', (c) => c.notNull().references('task_sequence.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('available_at', 'text')
        .addColumn('deadline', 'text')
        .addColumn('honor_windows', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('task_sequence_run')
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().references('task_sequence_deployment.id').onDelete('cascade'),
        )
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('step_number', 'integer', (c) => c.notNull())
        .addColumn('step_count', 'integer', (c) => c.notNull())
        .addColumn('current_step', 'text')
        .addColumn('progress', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_sequence_run_pk', ['deployment_id', 'device_id'])
        .execute();
    },
  };
}
