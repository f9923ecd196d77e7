import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The first documented report views (issue 10 "Reports with visible SQL", docs/reports.md, ADR
 * 0053). Reports, built-in and custom, read only `v_*` views: the views are the contract a
 * report author sees (columns named for what they mean, no secrets), so tables can change
 * underneath without breaking saved SQL. The same SQL on both dialects: plain joins, no
 * dialect functions.
 */
export function reportViewsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const statement of VIEWS) await sql.raw(statement).execute(db);
    },
  };
}

const VIEWS = [
  `create view v_device as
    select d.id as device_id, d.name as device_name, d.os_family, d.os_name, d.os_version,
      d.machine_type, d.cpu_model, d.memory_total_mb, d.ip_addresses, d.last_logged_on_user,
      d.agent_version, d.package_count, d.enrolled_at, d.last_contact_at, d.last_inventory_at,
      d.obsolete_at, d.revoked_at
    from device d`,
  `create view v_update as
    select u.id as update_id, u.package, u.version, u.classification, u.first_seen_at,
      u.superseded_at, u.superseded_by, s.id as source_id, s.name as source_name, s.suite,
      (select count(*) from software_update_binary b where b.update_id = u.id) as binary_count
    from software_update u join update_source s on s.id = u.source_id`,
  `create view v_update_source_sync as
    select s.id as source_id, s.name as source_name, s.url, s.suite, s.enabled,
      s.sync_interval_hours, s.signed_by, y.id as last_sync_id, y.state as last_sync_state,
      y.trigger as last_sync_trigger, y.started_at as last_sync_started_at,
      y.finished_at as last_sync_finished_at, y.failure as last_sync_failure,
      y.error as last_sync_error, y.packages_read as last_sync_packages_read,
      y.added as last_sync_added, y.superseded as last_sync_superseded,
      (select count(*) from software_update u
        where u.source_id = s.id and u.superseded_at is null) as current_update_count
    from update_source s left join update_sync y on y.id = s.last_sync_id`,
  `create view v_status_message as
    select m.id as status_message_id, m.message_id, m.severity, m.type, m.component,
      m.device_id, m.machine, m.site_code, m.at, m.received_at, m.insertion_strings
    from status_message m`,
  `create view v_deployment_status as
    select s.deployment_id, d.name as deployment_name, d.purpose, d.enabled,
      d.collection_id, d.program_id, p.name as program_name, s.device_id,
      v.name as device_name, s.state, s.reason_code, s.reason, s.exit_code, s.run_count,
      s.last_run_at, s.next_run_at, s.state_at
    from deployment_device_state s
      join deployment d on d.id = s.deployment_id
      join device v on v.id = s.device_id
      left join program p on p.id = d.program_id`,
];
