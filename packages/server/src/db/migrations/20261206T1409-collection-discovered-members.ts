import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Discovered machines as collection members (ADR 0030): a second member kind, direct inclusions
 * by address, owned by the discovery domain. Only client push and the collection's page read it;
 * deployments, policy and every other consumer of `collection_member` are unchanged.
 */
export function collectionDiscoveredMembersMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('discovered_collection_member')
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('address', 'text', (c) =>
          c.notNull().references('discovered_machine.address').onDelete('cascade'),
        )
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('discovered_collection_member_pk', ['collection_id', 'address'])
        .execute();
    },
  };
}
