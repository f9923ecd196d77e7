import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Custom updates in the compliance report views (issue 10, ADR 0083). `v_update_compliance`
 * and `v_update_compliance_count` (ADR 0062) held catalog updates only; each gains a third
 * UNION ALL branch over `custom_update_compliance` (the devices' own scans of the custom
 * updates' rules, ADR 0074: basis `scan`; the site cannot evaluate file and command rules, so
 * there is no inventory branch) and a last column `kind` ('apt' or 'custom'), so a report can
 * tell them apart. A custom update's `package` is its vendor and product, its classification
 * its own. Not-required rows stay out, as for apt updates. The apt branches are unchanged.
 */
export function customUpdatesInComplianceViewsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`drop view v_update_compliance_count`.execute(db);
      await sql`drop view v_update_compliance`.execute(db);
      for (const statement of VIEWS) await sql.raw(statement).execute(db);
    },
  };
}

const CURRENT_CATALOG = `(select coalesce(max(version), 0) from update_catalog_version)`;

const VIEWS = [
  `create view v_update_compliance as
    select c.device_id, d.name as device_name, c.update_id, u.package, u.version,
      u.classification, c.state, c.hold, 'scan' as basis, c.installed_at, c.first_detected_at,
      s.finished_at as scanned_at, 'apt' as kind
    from update_compliance c
      join update_scan s on s.device_id = c.device_id
      join device d on d.id = c.device_id
      join software_update u on u.id = c.update_id
    where d.revoked_at is null and s.state = 'succeeded'
      and s.catalog_version = ${CURRENT_CATALOG}
    union all
    select d.id as device_id, d.name as device_name, a.update_id, u.package, u.version,
      u.classification, a.state, null as hold, 'inventory' as basis, null as installed_at,
      null as first_detected_at, s.finished_at as scanned_at, 'apt' as kind
    from update_applicability a
      join device d on d.package_set_id = a.set_id
      join software_update u on u.id = a.update_id
      left join update_scan s on s.device_id = d.id
    where d.revoked_at is null
      and (s.device_id is null or s.state <> 'succeeded'
        or s.catalog_version <> ${CURRENT_CATALOG})
    union all
    select c.device_id, d.name as device_name, c.custom_update_id as update_id,
      cu.vendor || ' ' || cu.product as package, cu.version, cu.classification, c.state,
      null as hold, 'scan' as basis, c.installed_at, c.first_detected_at,
      c.scanned_at, 'custom' as kind
    from custom_update_compliance c
      join device d on d.id = c.device_id
      join custom_update cu on cu.id = c.custom_update_id
    where d.revoked_at is null and c.state <> 'not-required'`,
  `create view v_update_compliance_count as
    select x.update_id, x.state, x.hold, x.basis, sum(x.n) as device_count,
      min(x.first_detected_at) as first_detected_at, x.kind
    from (
      select c.update_id, c.state, c.hold, 'scan' as basis, count(*) as n,
        min(c.first_detected_at) as first_detected_at, 'apt' as kind
      from update_compliance c
        join update_scan s on s.device_id = c.device_id
        join device d on d.id = c.device_id
      where d.revoked_at is null and s.state = 'succeeded'
        and s.catalog_version = ${CURRENT_CATALOG}
      group by c.update_id, c.state, c.hold
      union all
      select a.update_id, a.state, null as hold, 'inventory' as basis, sum(sets.n) as n,
        null as first_detected_at, 'apt' as kind
      from update_applicability a
        join (select d.package_set_id, count(*) as n
          from device d left join update_scan s on s.device_id = d.id
          where d.revoked_at is null and d.package_set_id is not null
            and (s.device_id is null or s.state <> 'succeeded'
              or s.catalog_version <> ${CURRENT_CATALOG})
          group by d.package_set_id) sets on sets.package_set_id = a.set_id
      group by a.update_id, a.state
      union all
      select c.custom_update_id as update_id, c.state, null as hold, 'scan' as basis,
        count(*) as n, min(c.first_detected_at) as first_detected_at, 'custom' as kind
      from custom_update_compliance c
        join device d on d.id = c.device_id
      where d.revoked_at is null and c.state <> 'not-required'
      group by c.custom_update_id, c.state
    ) x
    group by x.update_id, x.state, x.hold, x.basis, x.kind`,
];
