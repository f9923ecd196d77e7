import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Runs of boot environments (issue 11, ADR 0103): one row per deployment and registered
 * computer (unknown or imported), advanced from the engine's status messages as a device's run
 * is; tied to the device the installed system enrols as (found by SMBIOS UUID or MAC), which
 * stays null until then and again if that device is deleted.
 */
export function taskSequenceBootRunsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('task_sequence_boot_run')
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().references('task_sequence_deployment.id').onDelete('cascade'),
        )
        .addColumn('computer_id', 'text', (c) => c.notNull())
        .addColumn('computer_kind', 'text', (c) => c.notNull())
        .addColumn('computer_name', 'text', (c) => c.notNull())
        .addColumn('smbios_uuid', 'text')
        .addColumn('macs', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.references('device.id').onDelete('set null'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('step_number', 'integer', (c) => c.notNull())
        .addColumn('step_count', 'integer', (c) => c.notNull())
        .addColumn('current_step', 'text')
        .addColumn('progress', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_sequence_boot_run_pk', ['deployment_id', 'computer_id'])
        .execute();
      // A device's OSD tab reads its tied runs.
      await db.schema
        .createIndex('task_sequence_boot_run_device')
        .on('task_sequence_boot_run')
        .column('device_id')
        .execute();
    },
  };
}
