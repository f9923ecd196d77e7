import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Multicast from distribution points (issue 11, ADR 0088): a DP's multicast settings (one row
 * per DP that has any; none = the declared defaults, multicast off) and the sessions its DP
 * process reports (file, clients, bytes sent, state), kept per DP by the service.
 */
export function dpMulticastMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dp_multicast')
        .addColumn('dp_id', 'text', (c) =>
          c.primaryKey().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('address_first', 'text', (c) => c.notNull())
        .addColumn('address_last', 'text', (c) => c.notNull())
        .addColumn('port_first', 'integer', (c) => c.notNull())
        .addColumn('port_last', 'integer', (c) => c.notNull())
        .addColumn('min_clients', 'integer', (c) => c.notNull())
        .addColumn('start_timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('max_rate_mbps', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dp_multicast_session')
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('file_bytes', 'bigint', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('clients', 'integer', (c) => c.notNull())
        .addColumn('receivers', 'integer', (c) => c.notNull())
        .addColumn('bytes_sent', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dp_multicast_session_pk', ['dp_id', 'id'])
        .execute();
      // The sessions view reads one DP's newest sessions.
      await db.schema
        .createIndex('dp_multicast_session_dp_created')
        .on('dp_multicast_session')
        .columns(['dp_id', 'created_at'])
        .execute();
    },
  };
}
