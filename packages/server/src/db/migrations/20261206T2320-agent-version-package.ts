import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Agent versions distributed like package content (issue 9, ADR 0042): each agent version names
 * the content-library package that holds its files, so distribution points, their status and
 * content locations work on it as on any package. Null for versions registered before this
 * migration until they are first distributed; deleting the package clears it.
 */
export function agentVersionPackageMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('agent_version')
        .addColumn('package_id', 'text', (c) =>
          c.references('software_package.id').onDelete('set null'),
        )
        .execute();
    },
  };
}
