import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The capture key of capture media (ADR 0107): its SHA-256 (the key itself is only on the
 * media, sealed with the password when they have one) and when it stops working. Media made
 * before have no key: booted, they run what is deployed, as they always did.
 */
export function mediaCaptureKeyMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('media').addColumn('capture_key_sha256', 'text').execute();
      await db.schema.alterTable('media').addColumn('capture_key_expires_at', 'text').execute();
    },
  };
}
