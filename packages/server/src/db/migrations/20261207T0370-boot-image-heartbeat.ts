import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Boot image builds keep a heartbeat (issue 11, ADR 0079): the process running a build writes
 * `heartbeat_at` while it works, so a build whose process died (a server restart cut it off) is
 * found by its silence and marked `interrupted` instead of blocking later builds of its name.
 * Builds already `building` when this runs take their creation time, so the first pass finds them.
 */
export function bootImageHeartbeatMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('boot_image').addColumn('heartbeat_at', 'text').execute();
      await sql`update boot_image set heartbeat_at = created_at`.execute(db);
    },
  };
}
