import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Network discovery (ADR 0022): sweeps (jobs with progress) and the machines they found. Lists
 * (targets, ports) are JSON text and open ports a comma list: they are shown, never queried.
 */
export function discoveryMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('discovery_sweep')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('targets', 'text', (c) => c.notNull())
        .addColumn('ports', 'text', (c) => c.notNull())
        .addColumn('icmp', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('found', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        // Written with every progress update: a running sweep whose process died stops moving.
        .addColumn('progress_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('error', 'text')
        // A cancel written by any process; the process running the sweep reads it between batches.
        .addColumn('cancel_requested_by', 'text')
        .execute();
      await db.schema
        .createIndex('discovery_sweep_started')
        .on('discovery_sweep')
        .column('started_at')
        .execute();

      await db.schema
        .createTable('discovered_machine')
        .addColumn('address', 'text', (c) => c.primaryKey())
        // 8 hex digits: sorts addresses numerically as text.
        .addColumn('address_key', 'text', (c) => c.notNull())
        .addColumn('mac', 'text')
        .addColumn('dns_name', 'text')
        .addColumn('open_ports', 'text', (c) => c.notNull())
        .addColumn('pingable', 'integer', (c) => c.notNull())
        .addColumn('ssh_banner', 'text')
        .addColumn('os_guess', 'text')
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_sweep_id', 'text', (c) => c.notNull())
        // The enrolled device with this address or DNS name when last swept (no foreign key:
        // the link is a hint refreshed by every sweep, not an ownership).
        .addColumn('device_id', 'text')
        .execute();
      await db.schema
        .createIndex('discovered_machine_key')
        .on('discovered_machine')
        .column('address_key')
        .execute();
    },
  };
}
