import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Software distribution (issue 3): the content library, packages and their versions, distribution
 * points and groups, boundaries, programs, deployments, maintenance windows, phased deployments
 * and per-device deployment state.
 */
export function softwareDistributionMigration(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const json = pg ? sql`jsonb` : sql`text`;
  const big = pg ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>) {
      // ---- content library (single-instance storage by SHA-256) ----
      await db.schema
        .createTable('content_file')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('software_package')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('publisher', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('current_version_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('package_version')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('package_id', 'text', (c) =>
          c.notNull().references('software_package.id').onDelete('cascade'),
        )
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('file_count', 'integer', (c) => c.notNull())
        .addColumn('size_bytes', big, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addUniqueConstraint('package_version_number', ['package_id', 'number'])
        .execute();

      await db.schema
        .createTable('package_version_file')
        .addColumn('version_id', 'text', (c) =>
          c.notNull().references('package_version.id').onDelete('cascade'),
        )
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().references('content_file.sha256'))
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('mode', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('package_version_file_pk', ['version_id', 'path'])
        .execute();
      // A stored file is removed only when no package version references it.
      await db.schema
        .createIndex('package_version_file_sha256')
        .on('package_version_file')
        .column('sha256')
        .execute();

      // ---- distribution points ----
      await db.schema
        .createTable('distribution_point')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('is_site_server', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
        /** Hash of the one-time registration secret (null once used or for the site server). */
        .addColumn('registration_hash', 'text')
        .addColumn('registration_expires_at', 'text')
        /** Hash of the DP's key (after registration). */
        .addColumn('key_hash', 'text')
        .addColumn('registered_at', 'text')
        .addColumn('last_seen_at', 'text')
        .addColumn('version', 'text')
        .addColumn('stored_bytes', big, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('dp_group')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dp_group_member')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('dp_group.id').onDelete('cascade'),
        )
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dp_group_member_pk', ['group_id', 'dp_id'])
        .execute();
      await db.schema
        .createTable('dp_group_package')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('dp_group.id').onDelete('cascade'),
        )
        .addColumn('package_id', 'text', (c) =>
          c.notNull().references('software_package.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('dp_group_package_pk', ['group_id', 'package_id'])
        .execute();

      /** A package targeted to a DP, and the DP's content status for it. */
      await db.schema
        .createTable('dp_package')
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addColumn('package_id', 'text', (c) =>
          c.notNull().references('software_package.id').onDelete('cascade'),
        )
        /** Version the DP holds completely (null until the first one is installed). */
        .addColumn('installed_version_id', 'text')
        /** Version the status below is about. */
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('bytes_done', big, (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_total', big, (c) => c.notNull().defaultTo(0))
        .addColumn('message', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('validate_requested_at', 'text')
        .addColumn('validated_at', 'text')
        .addPrimaryKeyConstraint('dp_package_pk', ['dp_id', 'package_id'])
        .execute();
      await db.schema
        .createIndex('dp_package_package')
        .on('dp_package')
        .column('package_id')
        .execute();

      // ---- boundaries ----
      await db.schema
        .createTable('boundary')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        /** First and last address as 32 hex digits (IPv4 mapped into IPv6), for range lookups. */
        .addColumn('start_key', 'text', (c) => c.notNull())
        .addColumn('end_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('boundary_range')
        .on('boundary')
        .columns(['start_key', 'end_key'])
        .execute();
      await db.schema
        .createTable('boundary_group')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('site_code', 'text', (c) => c.notNull())
        .addColumn('slow', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('boundary_group_boundary')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('boundary_group.id').onDelete('cascade'),
        )
        .addColumn('boundary_id', 'text', (c) =>
          c.notNull().references('boundary.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('boundary_group_boundary_pk', ['group_id', 'boundary_id'])
        .execute();
      await db.schema
        .createTable('boundary_group_dp')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('boundary_group.id').onDelete('cascade'),
        )
        .addColumn('dp_id', 'text', (c) =>
          c.notNull().references('distribution_point.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('boundary_group_dp_pk', ['group_id', 'dp_id'])
        .execute();
      await db.schema
        .createTable('boundary_group_neighbour')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('boundary_group.id').onDelete('cascade'),
        )
        .addColumn('neighbour_id', 'text', (c) =>
          c.notNull().references('boundary_group.id').onDelete('cascade'),
        )
        .addColumn('fallback_after_minutes', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('boundary_group_neighbour_pk', ['group_id', 'neighbour_id'])
        .execute();

      // ---- programs and deployments ----
      await db.schema
        .createTable('program')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('package_id', 'text', (c) =>
          c.notNull().references('software_package.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('command_line', 'text', (c) => c.notNull())
        .addColumn('working_directory', 'text', (c) => c.notNull())
        .addColumn('run_as', 'text', (c) => c.notNull())
        .addColumn('max_run_minutes', 'integer', (c) => c.notNull())
        .addColumn('success_exit_codes', json, (c) => c.notNull())
        .addColumn('reboot_exit_codes', json, (c) => c.notNull())
        .addColumn('requirements', json, (c) => c.notNull())
        .addColumn('depends_on_program_id', 'text', (c) => c.references('program.id'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('program_package_name', ['package_id', 'name'])
        .execute();

      await db.schema
        .createTable('phased_deployment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('program_id', 'text', (c) => c.notNull().references('program.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('halt_on_failure_percent', 'integer', (c) => c.notNull())
        .addColumn('current_phase', 'integer', (c) => c.notNull())
        .addColumn('halt_reason', 'text')
        /** Deployment settings every phase's deployment is created with. */
        .addColumn('deployment_settings', json, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('deployment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('program_id', 'text', (c) => c.notNull().references('program.id'))
        .addColumn('collection_id', 'text', (c) => c.notNull().references('collection.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('triggers', json, (c) => c.notNull())
        .addColumn('available_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('time_base', 'text', (c) => c.notNull())
        .addColumn('rerun', 'text', (c) => c.notNull())
        .addColumn('pre_download', 'integer', (c) => c.notNull())
        .addColumn('content_mode', 'text', (c) => c.notNull())
        .addColumn('run_over_slow_boundary', 'integer', (c) => c.notNull())
        .addColumn('allow_fallback', 'integer', (c) => c.notNull())
        .addColumn('override_maintenance_windows', 'integer', (c) => c.notNull())
        .addColumn('max_postpone_minutes', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('extra_assignments', json, (c) => c.notNull())
        .addColumn('phased_deployment_id', 'text', (c) =>
          c.references('phased_deployment.id').onDelete('set null'),
        )
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('deployment_collection')
        .on('deployment')
        .column('collection_id')
        .execute();
      await db.schema
        .createIndex('deployment_program')
        .on('deployment')
        .column('program_id')
        .execute();

      await db.schema
        .createTable('deployment_phase')
        .addColumn('phased_deployment_id', 'text', (c) =>
          c.notNull().references('phased_deployment.id').onDelete('cascade'),
        )
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('collection_id', 'text', (c) => c.notNull().references('collection.id'))
        .addColumn('success_percent', 'integer', (c) => c.notNull())
        .addColumn('soak_minutes', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'text')
        .addColumn('started_at', 'text')
        .addColumn('threshold_reached_at', 'text')
        .addColumn('completed_at', 'text')
        .addPrimaryKeyConstraint('deployment_phase_pk', ['phased_deployment_id', 'idx'])
        .execute();

      /** Newest state per (deployment, device), as reported by the agent ('targeted' is implicit). */
      await db.schema
        .createTable('deployment_device_state')
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().references('deployment.id').onDelete('cascade'),
        )
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('reason_code', 'text')
        .addColumn('reason', 'text')
        .addColumn('exit_code', 'integer')
        .addColumn('output_tail', 'text')
        .addColumn('bytes_done', big)
        .addColumn('bytes_total', big)
        .addColumn('last_run_at', 'text')
        .addColumn('next_run_at', 'text')
        .addColumn('run_count', 'integer', (c) => c.notNull().defaultTo(0))
        /** Agent time of the state (newest wins), and the device sequence that carried it. */
        .addColumn('state_at', 'text', (c) => c.notNull())
        .addColumn('device_seq', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_device_state_pk', ['deployment_id', 'device_id'])
        .execute();
      await db.schema
        .createIndex('deployment_device_state_state')
        .on('deployment_device_state')
        .columns(['deployment_id', 'state'])
        .execute();
      await db.schema
        .createIndex('deployment_device_state_device')
        .on('deployment_device_state')
        .column('device_id')
        .execute();

      /** "Rerun deployment" for some devices only: their revision is raised above the deployment's. */
      await db.schema
        .createTable('deployment_rerun')
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().references('deployment.id').onDelete('cascade'),
        )
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('device.id').onDelete('cascade'),
        )
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_rerun_pk', ['deployment_id', 'device_id'])
        .execute();

      /** State counts per deployment over time, for the live chart (written by the summarizer). */
      await db.schema
        .createTable('deployment_state_snapshot')
        .addColumn('deployment_id', 'text', (c) =>
          c.notNull().references('deployment.id').onDelete('cascade'),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('counts', json, (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_state_snapshot_pk', ['deployment_id', 'at'])
        .execute();

      await db.schema
        .createTable('maintenance_window')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('collection_id', 'text', (c) =>
          c.notNull().references('collection.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('start', 'text', (c) => c.notNull())
        .addColumn('duration_minutes', 'integer', (c) => c.notNull())
        .addColumn('recurrence', json, (c) => c.notNull())
        .addColumn('time_base', 'text', (c) => c.notNull())
        .addColumn('applies_to', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('maintenance_window_collection')
        .on('maintenance_window')
        .column('collection_id')
        .execute();
    },
  };
}
