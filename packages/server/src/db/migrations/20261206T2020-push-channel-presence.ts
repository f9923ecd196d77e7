import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Online follows the push channel (issue 12, ADR 0035): a device records which server process
 * holds its push channel (`push_session_id`, cleared when the channel closes, `push_closed_at`
 * then set), and every server process keeps a heartbeat row so that the channels of a process
 * that died are cleared by the others (or by the next start on SQLite).
 */
export function pushChannelPresenceMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('device').addColumn('push_session_id', 'text').execute();
      await db.schema.alterTable('device').addColumn('push_closed_at', 'text').execute();
      // Clearing a dead process's channels finds its devices by this.
      await db.schema
        .createIndex('device_push_session_id')
        .on('device')
        .column('push_session_id')
        .execute();
      await db.schema
        .createTable('server_process')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
