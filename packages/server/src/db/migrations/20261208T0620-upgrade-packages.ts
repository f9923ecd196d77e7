import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Upgrade packages (issue 11, ADR 0102): an in-place release upgrade's target, the apt sources
 * and keyring to switch to, and its options. The releases are columns (lists, the pre-check);
 * the sources and options are kept whole as JSON, parsed by the protocol's schemas on read.
 */
export function upgradePackagesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('upgrade_package')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('from_codename', 'text', (c) => c.notNull())
        .addColumn('from_version', 'text', (c) => c.notNull())
        .addColumn('target_codename', 'text', (c) => c.notNull())
        .addColumn('target_version', 'text', (c) => c.notNull())
        .addColumn('sources', 'text', (c) => c.notNull())
        .addColumn('keyring', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
