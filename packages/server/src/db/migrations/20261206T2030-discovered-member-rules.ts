import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Discovered machines in collections by rule (ADR 0038): a subnet or range, a host-name pattern
 * or a guessed OS, beside inclusion by address (20261206T1409). Rules are evaluated when the
 * members are read, so a sweep's new results count at once; only the rules are stored.
 */
export function discoveredMemberRulesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('discovered_collection_rule')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('discovered_collection_rule_collection')
        .on('discovered_collection_rule')
        .column('collection_id')
        .execute();
    },
  };
}
