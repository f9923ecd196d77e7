import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Agent versions as content (issue 9): a registered agent version and its package files, each a
 * file of the content library (by SHA-256, so the library's garbage collection cannot remove a
 * file a version still names). Which version is production or pre-production is a site setting.
 */
export function agentVersionsMigration(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agent_version')
        .addColumn('version', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('size_bytes', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agent_version_file')
        .addColumn('version', 'text', (c) =>
          c.notNull().references('agent_version.version').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().references('content_file.sha256'))
        .addColumn('size', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_version_file_pk', ['version', 'name'])
        .execute();
      await db.schema
        .createIndex('agent_version_file_sha256')
        .on('agent_version_file')
        .column('sha256')
        .execute();
    },
  };
}
