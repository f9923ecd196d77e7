import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * PXE managed on the site (issue 11, ADR 0079): a DP's PXE settings (one row per DP that has
 * any; a DP without a row has the declared defaults), the boundary groups it answers for, and
 * the PXE requests its DP process reports (bounded per DP by the service).
 */
export function dpPxeMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dp_pxe')
        .addColumn('dp_id', 'text', (c) =>
          c.primaryKey().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('answer_bios', 'integer', (c) => c.notNull())
        .addColumn('answer_uefi', 'integer', (c) => c.notNull())
        .addColumn('respond_to_unknown', 'integer', (c) => c.notNull())
        .addColumn('response_delay_seconds', 'integer', (c) => c.notNull())
        .addColumn('http_port', 'integer', (c) => c.notNull())
        .addColumn('server_address', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dp_pxe_boundary_group')
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('dp_pxe.dp_id').onDelete('cascade'),
        )
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('boundary_group.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('dp_pxe_boundary_group_pk', ['dp_id', 'group_id'])
        .execute();
      const activity = pg
        ? db.schema
            .createTable('dp_pxe_activity')
            .addColumn('id', 'bigserial', (c) => c.primaryKey())
        : db.schema
            .createTable('dp_pxe_activity')
            .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await activity
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text')
        .addColumn('firmware', 'text')
        .addColumn('address', 'text')
        .addColumn('answered', 'integer', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      // The activity view reads one DP's newest entries (and one machine's).
      await db.schema
        .createIndex('dp_pxe_activity_dp_at')
        .on('dp_pxe_activity')
        .columns(['dp_id', 'id'])
        .execute();
    },
  };
}
