import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Devices per package set, not revoked, read from the index alone (issue 10, ADR 0064): an
 * update's compliance summary groups the devices that did not scan by their package set, and
 * with `revoked_at` outside the index every device row was read (385 ms at 100,000 devices on
 * the benchmark machine). The new index leads with package_set_id, so it serves every query the
 * one it replaces served (unused set collection, a set's devices).
 */
export function devicePackageSetRevokedMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('device_package_set_revoked')
        .on('device')
        .columns(['package_set_id', 'revoked_at'])
        .execute();
      await db.schema.dropIndex('device_package_set').execute();
    },
  };
}
