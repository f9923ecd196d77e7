import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Agent self-upgrade attempts (issue 9): one row per attempt an agent reports, keyed by the id the
 * agent gives it, so a retried outbox batch updates the same row. Client deployment status reads
 * the latest attempt per device (Failed, In progress).
 */
export function agentUpgradesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agent_upgrade')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('attempt_id', 'text', (c) => c.notNull())
        .addColumn('from_version', 'text')
        .addColumn('to_version', 'text', (c) => c.notNull())
        .addColumn('rollout', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('scheduled_for', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('error_code', 'text')
        .addColumn('reason', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_upgrade_pk', ['device_id', 'attempt_id'])
        .execute();
      // Latest attempt per device; failures over a period (the failure chart).
      await db.schema
        .createIndex('agent_upgrade_device_started')
        .on('agent_upgrade')
        .columns(['device_id', 'started_at'])
        .execute();
      await db.schema
        .createIndex('agent_upgrade_finished')
        .on('agent_upgrade')
        .columns(['state', 'finished_at'])
        .execute();
    },
  };
}
