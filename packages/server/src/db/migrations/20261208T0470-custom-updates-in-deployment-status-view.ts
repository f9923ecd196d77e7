import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom updates in `v_update_deployment_status` (issue 10, ADR 0083). The view of migration
 * 20261207T0320 (ADR 0073) held the catalog updates of update deployments only; it is recreated
 * with a second UNION ALL branch over `update_deployment_custom_update`, whose `installed` comes
 * from the device's own scan of the custom update's rules (`custom_update_compliance`), and a
 * last column `kind` ('apt' or 'custom') as in `v_update_compliance`. A custom update's
 * `package` is its vendor and product. Every other column and the site-derived state (the rule
 * of server/src/updates/deployments/site-state.ts, its numbers written out because a migration
 * is frozen) are those of 20261207T0320.
 */
export function customUpdatesInDeploymentStatusViewMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`drop view v_update_deployment_status`.execute(db);
      await sql.raw(statusView(dialect)).execute(db);
    },
  };
}

/** What differs between the two kinds: the member table, the update and the device's scan. */
const KINDS = [
  {
    kind: 'apt',
    joins: `join update_deployment_update x on x.update_deployment_id = ud.id
      join software_update u on u.id = x.update_id
      left join update_compliance sc on sc.device_id = m.device_id and sc.update_id = x.update_id`,
    update: `x.update_id, u.package, u.version`,
  },
  {
    kind: 'custom',
    joins: `join update_deployment_custom_update x on x.update_deployment_id = ud.id
      join custom_update u on u.id = x.custom_update_id
      left join custom_update_compliance sc on sc.device_id = m.device_id
        and sc.custom_update_id = x.custom_update_id`,
    update: `x.custom_update_id as update_id, u.vendor || ' ' || u.product as package, u.version`,
  },
];

function statusView(dialect: Dialect): string {
  const ago = (seconds: number) =>
    dialect === 'postgres'
      ? `to_char((now() at time zone 'UTC') - interval '${seconds} seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${seconds} seconds')`;
  const online = `(v.revoked_at is null and (v.push_session_id is not null
    or (v.push_closed_at is null and coalesce(v.push_seen_at, '') >= ${ago(90)})))`;
  const waiting = `coalesce(s.state, 'targeted') in
    ('targeted', 'received', 'waiting-content', 'waiting-window', 'running')`;
  const siteState = `case when ${online} or not ${waiting} then null
    when k.outcome = 'failed' then 'agent-stopped'
    when v.last_contact_at is null or v.last_contact_at < ${ago(8 * 86_400)}
      then 'not-communicating'
    when v.last_contact_at < ${ago(3600)} then 'offline'
    else null end`;
  const since = `coalesce(v.last_contact_at, 'never')`;
  const siteReason = `case t.site_state
    when 'agent-stopped' then 'the client check says the agent service is not running: '
      || coalesce(t.service_detail, '')
    when 'not-communicating' then 'nothing heard since its last scan (last contact '
      || t.contact || '); a scheduled scan is overdue'
    when 'offline' then 'no push channel and no contact within the policy interval (last contact '
      || t.contact || ')'
    else null end`;
  const branches = KINDS.map(
    (k) => `select ud.id as update_deployment_id, ud.name as update_deployment_name,
      ud.deployment_id, ud.group_id, g.name as group_name, d.collection_id,
      c.name as collection_name, d.enabled, m.device_id, v.name as device_name, ${k.update},
      case when x.removed_at is null then 0 else 1 end as removed,
      coalesce(s.state, 'targeted') as reported_state, sc.state as scan_state,
      ${siteState} as site_state, k.detail as service_detail, ${since} as contact,
      s.reason_code, s.reason, s.exit_code, coalesce(s.run_count, 0) as run_count,
      s.last_run_at, s.state_at, v.last_contact_at, '${k.kind}' as kind
    from update_deployment ud
      join deployment d on d.id = ud.deployment_id
      join collection c on c.id = d.collection_id
      join collection_member m on m.collection_id = d.collection_id
      join device v on v.id = m.device_id
      ${k.joins}
      left join update_group g on g.id = ud.group_id
      left join deployment_device_state s on s.deployment_id = d.id and s.device_id = m.device_id
      left join client_check_state k on k.device_id = m.device_id and k.check_name = 'service'`,
  );
  return `create view v_update_deployment_status as
  select t.update_deployment_id, t.update_deployment_name, t.deployment_id, t.group_id,
    t.group_name, t.collection_id, t.collection_name, t.enabled, t.device_id, t.device_name,
    t.update_id, t.package, t.version, t.removed,
    case when t.removed = 1 then 'removed'
      when t.scan_state = 'installed' then 'installed'
      when t.site_state is not null then t.site_state
      else t.reported_state end as state,
    coalesce(t.site_state, t.reported_state) as device_state,
    t.reported_state, t.site_state, ${siteReason} as site_reason, t.reason_code, t.reason,
    t.exit_code, t.run_count, t.last_run_at, t.state_at, t.last_contact_at, t.kind
  from (
    ${branches.join('\n    union all\n    ')}
  ) t`;
}
