import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client deployment status (issue 9, ADR 0028): the agent version each push attempt installs (a
 * push counts as an install attempt towards that version), and the indexes the dashboards' set
 * queries use: a device's push attempts through its target, failures over a period.
 */
export function clientStatusMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Null on attempts made before this column existed: they count towards no version.
      await db.schema.alterTable('push_attempt').addColumn('agent_version', 'text').execute();
      await db.schema
        .createIndex('push_target_device')
        .on('push_target')
        .column('device_id')
        .execute();
      await db.schema
        .createIndex('push_attempt_finished')
        .on('push_attempt')
        .columns(['outcome', 'finished_at'])
        .execute();
    },
  };
}
