import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom updates' results from the agents' scans (issue 10, ADRs 0059, 0074): per device and
 * custom update, the state the rules gave (installed, required, not-required, unknown; a custom
 * update's Not required is a decision of its applicability rules, so it is stored), the rules'
 * words when it is unknown, and the times the site first saw it required and installed. Kept
 * apart from update_compliance, whose update_id references software_update.
 */
export function customUpdateComplianceMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('custom_update_compliance')
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('custom_update_id', 'text', (c) =>
          c.notNull().references('custom_update.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('installed_at', 'text')
        .addColumn('first_detected_at', 'text')
        .addColumn('scanned_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('custom_update_compliance_pk', ['custom_update_id', 'device_id'])
        .execute();
      await db.schema
        .createIndex('custom_update_compliance_device')
        .on('custom_update_compliance')
        .column('device_id')
        .execute();
    },
  };
}
