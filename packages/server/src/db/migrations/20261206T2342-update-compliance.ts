import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client scans and their results (issue 10): each device's latest scan (what the scan audit
 * reads: catalog version, kind, failure and why) and its per-update results, kept with the time
 * the site first saw each update required on the device.
 */
export function updateComplianceMigration(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_scan')
        .addColumn('device_id', 'text', (c) =>
          c.primaryKey().references('device.id').onDelete('cascade'),
        )
        .addColumn('catalog_version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('report_seq', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('update_compliance')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('hold', 'text')
        .addColumn('installed_at', 'text')
        .addColumn('first_detected_at', 'text')
        .addColumn('scanned_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_compliance_pk', ['update_id', 'device_id'])
        .execute();
      await db.schema
        .createIndex('update_compliance_device')
        .on('update_compliance')
        .column('device_id')
        .execute();
    },
  };
}
