import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Restart detection of update installs (issue 10, ADR 0099): the reboot and the service
 * restarts a device's last run of a deployment left (needrestart or the reboot-required files)
 * or, rehearsed, would leave. Null for every other deployment and for rows written before it.
 */
export function deploymentRestartNeedMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('deployment_device_state')
        .addColumn('restart_need', dialect === 'postgres' ? 'jsonb' : 'text')
        .execute();
    },
  };
}
