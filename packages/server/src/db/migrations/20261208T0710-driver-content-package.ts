import type { Kysely, Migration } from 'kysely';

/**
 * A driver's content package (issue 11 gap 2): the imported .deb is also a one-file package of
 * the content library, so it is distributed to DPs like an OS image and a boot environment
 * downloads it from its DP. Null for drivers imported before (re-import them to serve them).
 */
export function driverContentPackageMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('driver').addColumn('package_id', 'text').execute();
      await db.schema.alterTable('driver').addColumn('package_version_id', 'text').execute();
    },
  };
}
