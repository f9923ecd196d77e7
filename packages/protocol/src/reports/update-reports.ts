import type { ReportDeclaration } from './definitions.js';
import type { ReportParameter } from './schemas.js';

/**
 * The seed's patch-management reports (seed 004 table 4) that read the update views (ADR 0062,
 * docs/reports.md). The deployment-status ones for UPDATE deployments come with those
 * deployments' own views. In `v_update_compliance`, `coalesce(hold, state)` is the state as the
 * compliance API names it: held, pinned, required (not held), installed, unknown.
 */

const UPDATE: ReportParameter = {
  name: 'update',
  label: 'Update (id, or source package for every version)',
  type: 'text',
  required: true,
};
const COMPUTER: ReportParameter = {
  name: 'computer',
  label: 'Computer (name or id)',
  type: 'text',
  required: true,
};

export const UPDATE_REPORTS: readonly ReportDeclaration[] = [
  {
    id: 'update-compliance-by-source',
    title: 'Compliance by product (update source)',
    description:
      'Per update source: current updates, and how many computer x update pairs are installed, required, held back or unknown.',
    category: 'compliance',
    sql: `select u.source_name, u.suite, count(distinct u.update_id) as updates,
  coalesce(sum(case when n.state = 'installed' then n.device_count end), 0) as installed,
  coalesce(sum(case when n.state = 'required' and n.hold is null then n.device_count end), 0)
    as required,
  coalesce(sum(case when n.hold is not null then n.device_count end), 0) as held_or_pinned,
  coalesce(sum(case when n.state = 'unknown' then n.device_count end), 0) as unknown
from v_update u
  left join v_update_compliance_count n on n.update_id = u.update_id
where u.superseded_at is null
group by u.source_id, u.source_name, u.suite
order by u.source_name`,
    parameters: [],
    chart: { kind: 'bar', label: 'source_name', value: 'required' },
  },
  {
    id: 'update-compliance-by-update',
    title: 'Compliance by update id',
    description:
      'For one update (or every version of a source package): how many computers have it installed, need it, hold it back, or are unknown.',
    category: 'compliance',
    sql: `select u.update_id, u.package, u.version, u.source_name, u.severity,
  coalesce(sum(case when n.state = 'installed' then n.device_count end), 0) as installed,
  coalesce(sum(case when n.state = 'required' and n.hold is null then n.device_count end), 0)
    as required,
  coalesce(sum(case when n.hold = 'held' then n.device_count end), 0) as held,
  coalesce(sum(case when n.hold = 'pinned' then n.device_count end), 0) as pinned,
  coalesce(sum(case when n.state = 'unknown' then n.device_count end), 0) as unknown,
  (select count(*) from v_device d where d.revoked_at is null)
    - coalesce(sum(n.device_count), 0) as not_required_or_not_known
from v_update u
  left join v_update_compliance_count n on n.update_id = u.update_id
where u.update_id = :update or u.package = :update
group by u.update_id, u.package, u.version, u.source_name, u.severity
order by u.package, u.version`,
    parameters: [UPDATE],
    chart: { kind: 'bar', label: 'version', value: 'required' },
  },
  {
    id: 'computers-update-applicable',
    title: 'Computers for which a specific update is applicable',
    description:
      'Computers that need the update (held and pinned ones included, marked), and where the answer came from.',
    category: 'compliance',
    sql: `select c.device_name, c.package, c.version, c.hold, c.basis, c.first_detected_at,
  c.scanned_at, c.device_id
from v_update_compliance c
where c.state = 'required' and (c.update_id = :update or c.package = :update)
order by c.device_name, c.version`,
    parameters: [UPDATE],
  },
  {
    id: 'computers-in-compliance-state',
    title: 'Computers in a specific compliance state for an update',
    description:
      'Computers whose state for the update is installed, required (not held), held, pinned or unknown.',
    category: 'compliance',
    sql: `select c.device_name, c.package, c.version, coalesce(c.hold, c.state) as compliance_state,
  c.basis, c.installed_at, c.first_detected_at, c.scanned_at, c.device_id
from v_update_compliance c
where (c.update_id = :update or c.package = :update)
  and coalesce(c.hold, c.state) = :state
order by c.device_name, c.version`,
    parameters: [
      UPDATE,
      {
        name: 'state',
        label: 'State (installed, required, held, pinned, unknown)',
        type: 'text',
        required: true,
        default: 'required',
      },
    ],
  },
  {
    id: 'updates-for-computer',
    title: 'Updates for a specific computer',
    description: 'Every update installed, required or unknown on one computer.',
    category: 'compliance',
    sql: `select c.package, c.version, u.classification, u.severity,
  coalesce(c.hold, c.state) as compliance_state, c.basis, c.installed_at, c.first_detected_at,
  u.cve_ids, u.source_name, c.update_id
from v_update_compliance c
  join v_update u on u.update_id = c.update_id
where c.device_id = :computer or c.device_name = :computer
order by case when c.state = 'required' then 0 else 1 end, u.severity_level desc, c.package`,
    parameters: [COMPUTER],
  },
  {
    id: 'updates-not-authorised',
    title: 'Updates not yet authorised (in no update group)',
    description:
      'Current updates that no update group approves, with how many computers need each.',
    category: 'compliance',
    sql: `with n as (
  select update_id, sum(device_count) as computers_requiring
  from v_update_compliance_count
  where state = 'required'
  group by update_id
)
select u.package, u.version, u.classification, u.severity, u.first_seen_at, u.source_name,
  coalesce(n.computers_requiring, 0) as computers_requiring, u.cve_ids, u.update_id
from v_update u
  left join n on n.update_id = u.update_id
where u.superseded_at is null
  and not exists (select 1 from v_update_group_member m where m.update_id = u.update_id)
order by computers_requiring desc, u.severity_level desc, u.package`,
    parameters: [],
  },
  {
    id: 'updates-applicable-installed',
    title: 'Updates with counts of applicable and installed computers',
    description: 'Every current update with how many computers need it and how many have it.',
    category: 'compliance',
    sql: `select u.package, u.version, u.classification, u.severity,
  coalesce(sum(case when n.state = 'required' then n.device_count end), 0) as applicable,
  coalesce(sum(case when n.state = 'installed' then n.device_count end), 0) as installed,
  u.source_name, u.update_id
from v_update u
  left join v_update_compliance_count n on n.update_id = u.update_id
where u.superseded_at is null
group by u.update_id, u.package, u.version, u.classification, u.severity, u.source_name
order by applicable desc, u.package`,
    parameters: [],
    chart: { kind: 'bar', label: 'package', value: 'applicable' },
  },
  {
    id: 'updates-newly-reported',
    title: 'Updates newly reported in the last N days',
    description:
      'Updates the catalog first saw, or that a computer first reported required, in the last N days, with the first-detected time.',
    category: 'compliance',
    sql: `with n as (
  select update_id, min(first_detected_at) as first_detected_at,
    sum(case when state = 'required' then device_count else 0 end) as computers_requiring
  from v_update_compliance_count
  group by update_id
)
select u.package, u.version, u.classification, u.severity, u.first_seen_at,
  n.first_detected_at, coalesce(n.computers_requiring, 0) as computers_requiring,
  u.source_name, u.update_id
from v_update u
  left join n on n.update_id = u.update_id
where u.first_seen_at >= :days or n.first_detected_at >= :days
order by coalesce(n.first_detected_at, u.first_seen_at) desc, u.package`,
    parameters: [
      {
        name: 'days',
        label: 'Last N days',
        type: 'days',
        required: true,
        default: 7,
        min: 1,
        max: 366,
      },
    ],
  },
  {
    id: 'cve-exposure',
    title: 'CVE exposure',
    description:
      'Per CVE with a fix in the catalog: computers that still need a fixing update and computers that have it. CVEs with no fix released are counted in open_count (see steward cve show).',
    category: 'compliance',
    sql: `select v.cve_id, v.severity,
  count(distinct case when c.state = 'required' then c.device_id end) as exposed_computers,
  count(distinct case when c.state = 'installed' then c.device_id end) as fixed_computers,
  count(distinct x.update_id) as fixing_updates, v.open_count
from v_cve v
  join v_update_cve x on x.cve_id = v.cve_id
  left join v_update_compliance c on c.update_id = x.update_id
where cast(:cve as text) is null or v.cve_id = :cve
group by v.cve_id, v.severity, v.open_count
order by exposed_computers desc, v.cve_id`,
    parameters: [{ name: 'cve', label: 'CVE id (empty: all)', type: 'text', required: false }],
    chart: { kind: 'bar', label: 'cve_id', value: 'exposed_computers' },
  },
];
