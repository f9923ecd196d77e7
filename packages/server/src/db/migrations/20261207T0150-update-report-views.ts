import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The patch-management report views (issue 10 "Reports with visible SQL", docs/reports.md,
 * ADR 0062). `v_update` is recreated with what advisories add (severity, CVE and advisory ids);
 * the others are new. Per-dialect SQL only where it must differ: text aggregation
 * (group_concat / string_agg) and "now minus 8 days" as ISO-8601 text.
 *
 * v_update_compliance resolves each device's basis the way the compliance API does (ADR 0047):
 * a device that scanned the current catalog successfully answers from its scan rows, every
 * other device with an inventoried package set from its set's applicability rows. The two
 * branches are disjoint by construction (a device is in exactly one), so the view is a UNION
 * ALL: no de-duplication, and a filter on update_id or device_id reaches each branch's index
 * (update_compliance_pk, update_applicability_pk, device_package_set) on both dialects.
 * Not-required pairs have no row in either table and none in the view, so it never holds
 * devices x updates. v_update_compliance_count gives the per-update counts from the same rule
 * without expanding package sets to devices, which summary reports read.
 */
export function updateReportViewsMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`drop view v_update`.execute(db);
      for (const statement of views(dialect)) await sql.raw(statement).execute(db);
    },
  };
}

const CURRENT_CATALOG = `(select coalesce(max(version), 0) from update_catalog_version)`;

// The worst severity of what an update fixes, as a number (critical 4 ... unknown 0) and a word.
const SEVERITY_LEVEL = `coalesce((select max(case a.severity when 'critical' then 4
    when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end)
  from update_advisory a where a.update_id = u.id), 0)`;

function views(dialect: Dialect): string[] {
  const pg = dialect === 'postgres';
  const idsOf = (where: string) =>
    pg
      ? `(select string_agg(distinct x.v, ' ' order by x.v) from (select a.${where}) x)`
      : `(select group_concat(x.v, ' ') from (select distinct a.${where} order by 1) x)`;
  const cveIds = idsOf(`cve_id as v from update_advisory a where a.update_id = u.id`);
  const advisoryIds = idsOf(
    `origin as v from update_advisory a where a.update_id = u.id and a.origin <> 'tracker'`,
  );
  // SCAN_OVERDUE_DAYS (protocol) is 8; a migration is frozen, so the number is written here.
  const overdueBefore = pg
    ? `to_char((now() at time zone 'UTC') - interval '8 days', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-8 days')`;
  return [
    `create view v_update as
    select u.id as update_id, u.package, u.version, u.classification, u.first_seen_at,
      u.superseded_at, u.superseded_by, s.id as source_id, s.name as source_name, s.suite,
      (select count(*) from software_update_binary b where b.update_id = u.id) as binary_count,
      case ${SEVERITY_LEVEL} when 4 then 'critical' when 3 then 'high' when 2 then 'medium'
        when 1 then 'low' else 'unknown' end as severity,
      ${SEVERITY_LEVEL} as severity_level,
      ${cveIds} as cve_ids,
      ${advisoryIds} as advisory_ids
    from software_update u join update_source s on s.id = u.source_id`,
    `create view v_update_compliance as
    select c.device_id, d.name as device_name, c.update_id, u.package, u.version,
      u.classification, c.state, c.hold, 'scan' as basis, c.installed_at, c.first_detected_at,
      s.finished_at as scanned_at
    from update_compliance c
      join update_scan s on s.device_id = c.device_id
      join device d on d.id = c.device_id
      join software_update u on u.id = c.update_id
    where d.revoked_at is null and s.state = 'succeeded'
      and s.catalog_version = ${CURRENT_CATALOG}
    union all
    select d.id as device_id, d.name as device_name, a.update_id, u.package, u.version,
      u.classification, a.state, null as hold, 'inventory' as basis, null as installed_at,
      null as first_detected_at, s.finished_at as scanned_at
    from update_applicability a
      join device d on d.package_set_id = a.set_id
      join software_update u on u.id = a.update_id
      left join update_scan s on s.device_id = d.id
    where d.revoked_at is null
      and (s.device_id is null or s.state <> 'succeeded'
        or s.catalog_version <> ${CURRENT_CATALOG})`,
    // Counts per update without one row per device: scan rows are counted per device (few
    // devices scan at any moment), inventory rows per SET times the devices holding that set.
    `create view v_update_compliance_count as
    select x.update_id, x.state, x.hold, x.basis, sum(x.n) as device_count,
      min(x.first_detected_at) as first_detected_at
    from (
      select c.update_id, c.state, c.hold, 'scan' as basis, count(*) as n,
        min(c.first_detected_at) as first_detected_at
      from update_compliance c
        join update_scan s on s.device_id = c.device_id
        join device d on d.id = c.device_id
      where d.revoked_at is null and s.state = 'succeeded'
        and s.catalog_version = ${CURRENT_CATALOG}
      group by c.update_id, c.state, c.hold
      union all
      select a.update_id, a.state, null as hold, 'inventory' as basis, sum(sets.n) as n,
        null as first_detected_at
      from update_applicability a
        join (select d.package_set_id, count(*) as n
          from device d left join update_scan s on s.device_id = d.id
          where d.revoked_at is null and d.package_set_id is not null
            and (s.device_id is null or s.state <> 'succeeded'
              or s.catalog_version <> ${CURRENT_CATALOG})
          group by d.package_set_id) sets on sets.package_set_id = a.set_id
      group by a.update_id, a.state
    ) x
    group by x.update_id, x.state, x.hold, x.basis`,
    `create view v_update_scan as
    select d.id as device_id, d.name as device_name,
      case when s.device_id is null then 'never'
        when s.state = 'failed' then 'failed'
        when s.catalog_version < ${CURRENT_CATALOG} then 'stale-catalog'
        when s.finished_at < ${overdueBefore} then 'overdue'
        else 'current' end as audit_state,
      s.state as scan_state, s.kind, s.catalog_version,
      ${CURRENT_CATALOG} as current_catalog_version, s.started_at, s.finished_at,
      s.received_at, s.error
    from device d left join update_scan s on s.device_id = d.id
    where d.revoked_at is null`,
    `create view v_update_group as
    select g.id as group_id, g.name as group_name, g.description, g.created_at, g.created_by,
      g.updated_at,
      (select count(*) from update_group_member m where m.group_id = g.id) as update_count
    from update_group g`,
    `create view v_update_group_member as
    select m.group_id, g.name as group_name, m.update_id, u.package, u.version, m.position,
      m.added_at
    from update_group_member m
      join update_group g on g.id = m.group_id
      join software_update u on u.id = m.update_id`,
    `create view v_cve as
    select c.id as cve_id, c.description, c.updated_at,
      case (select max(case f.severity when 'critical' then 4 when 'high' then 3
          when 'medium' then 2 when 'low' then 1 else 0 end)
        from cve_fix f where f.cve_id = c.id)
        when 4 then 'critical' when 3 then 'high' when 2 then 'medium' when 1 then 'low'
        else 'unknown' end as severity,
      (select count(distinct a.update_id) from update_advisory a where a.cve_id = c.id)
        as fixing_update_count,
      (select count(*) from cve_fix f where f.cve_id = c.id and f.status = 'open')
        as open_count
    from cve c`,
    `create view v_update_cve as
    select a.update_id, a.cve_id, a.origin, a.severity
    from update_advisory a`,
  ];
}
