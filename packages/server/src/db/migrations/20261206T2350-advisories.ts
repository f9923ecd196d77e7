import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Advisories and the CVE view (issue 10, ADR 0048): feeds read from a URL, each import's
 * record, the advisories (DSA, DLA, USN, OSV), per-CVE descriptions, `cve_fix` (what every
 * feed says about one CVE in one source package in one release: fixed at a version, or open),
 * and `update_advisory` (which catalog update is the first to fix which CVE). `fixed_key` is
 * debianVersionKey(fixed_version), compared in byte order (COLLATE "C" on PostgreSQL) with
 * software_update.version_key and package_set_item.version_key.
 */
export function advisoriesMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
      await db.schema
        .createTable('advisory_feed')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('interval_hours', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        // What the last good read answered: the next read is a conditional GET with them.
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('sha256', 'text')
        .addColumn('last_import_id', 'text')
        .addColumn('last_import_at', 'text')
        .execute();
      await db.schema
        .createTable('advisory_import')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('feed_id', 'text', (c) => c.references('advisory_feed.id').onDelete('set null'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('advisories', 'integer', (c) => c.notNull())
        .addColumn('cves', 'integer', (c) => c.notNull())
        .addColumn('fixes', 'integer', (c) => c.notNull())
        .addColumn('updates_enriched', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createTable('advisory')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('cves', 'text', (c) => c.notNull())
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('cve')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('cve_fix')
        .addColumn('cve_id', 'text', (c) => c.notNull())
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('package', 'text', (c) => c.notNull())
        // `tracker`, or the id of the advisory that said it.
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('fixed_version', 'text')
        .addColumn('fixed_key', keyType)
        .addColumn('severity', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cve_fix_pk', ['cve_id', 'release', 'package', 'origin'])
        .execute();
      await db.schema
        .createIndex('cve_fix_package')
        .on('cve_fix')
        .columns(['package', 'release'])
        .execute();
      await db.schema
        .createTable('update_advisory')
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('cve_id', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_advisory_pk', ['update_id', 'cve_id', 'origin'])
        .execute();
      await db.schema
        .createIndex('update_advisory_cve')
        .on('update_advisory')
        .columns(['cve_id'])
        .execute();
    },
  };
}
