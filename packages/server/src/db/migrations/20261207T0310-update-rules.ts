import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Automatic deployment rules and rollups (issue 10, ADR 0072). A rule's filter, collections,
 * phasing and deployment template are JSON read whole (never queried); what the scheduler
 * selects on (enabled, schedule, last run) are columns. A run row is its history: what it
 * matched, added and deployed. A rollup remembers the group it keeps current per source.
 * Groups and deployments a rule made are remembered without foreign keys: deleting them by
 * hand leaves the rule working (the next run makes new ones).
 */
export function updateRulesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('update_rule')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('filter', 'text', (c) => c.notNull())
        .addColumn('group_mode', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text')
        .addColumn('collection_ids', 'text', (c) => c.notNull())
        .addColumn('phased', 'text')
        /** JSON object: the deployment template (timing, shared and update options). */
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('run_after_sync', 'integer', (c) => c.notNull())
        .addColumn('interval_hours', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        /** When the last run started: the after-sync and interval checks compare with it. */
        .addColumn('last_run_at', 'text')
        .addColumn('last_run_id', 'text')
        /** Set while a run is under way (one at a time), with the time it started. */
        .addColumn('running_since', 'text')
        .execute();
      await db.schema
        .createTable('update_rule_run')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) =>
          c.notNull().references('update_rule.id').onDelete('cascade'),
        )
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('matched', 'integer', (c) => c.notNull())
        .addColumn('added', 'integer', (c) => c.notNull())
        .addColumn('group_id', 'text')
        /** JSON array of update deployment ids. */
        .addColumn('deployment_ids', 'text', (c) => c.notNull())
        .addColumn('phased_deployment_id', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createIndex('update_rule_run_rule')
        .on('update_rule_run')
        .columns(['rule_id', 'started_at'])
        .execute();
      await db.schema
        .createTable('update_rollup')
        .addColumn('source_id', 'text', (c) =>
          c.primaryKey().references('update_source.id').onDelete('cascade'),
        )
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('refreshed_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
