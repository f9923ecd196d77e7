import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Saved views of the device list (ADR 0034): named filter + columns + sort + density, owned by
 * a user, private or shared; and each user's default view of a list.
 */
export function savedViewsMigration(dialect: Dialect): Migration {
  const json = dialect === 'postgres' ? sql`jsonb` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('saved_view')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('list', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('shared', 'integer', (c) => c.notNull())
        .addColumn('state', json, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('saved_view_owner_list_name', ['owner', 'list', 'name'])
        .execute();
      await db.schema
        .createTable('saved_view_default')
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('list', 'text', (c) => c.notNull())
        .addColumn('view_id', 'text', (c) =>
          c.notNull().references('saved_view.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('saved_view_default_pk', ['user_name', 'list'])
        .execute();
    },
  };
}
