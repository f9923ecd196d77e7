import type { Report, ReportView } from './schemas.js';
import { REPORT_LIMITS } from './schemas.js';
import { UPDATE_REPORT_VIEWS, V_UPDATE_COLUMNS } from './update-views.js';
import { UPDATE_REPORTS } from './update-reports.js';
import { UPDATE_DEPLOYMENT_REPORTS } from './update-deployment-reports.js';

/**
 * The documented report views (docs/reports.md lists the same): the only relations report SQL
 * can read. A domain that adds a view (a migration `create view v_...`) adds its entry here:
 * the sandbox grants exactly these, and the console's SQL editor lists them.
 */
export const REPORT_VIEWS: readonly ReportView[] = [
  {
    name: 'v_device',
    description: 'Managed devices with their inventory basics (one row per device).',
    columns: [
      { name: 'device_id', meaning: 'Device id' },
      { name: 'device_name', meaning: 'Host name' },
      { name: 'os_family', meaning: 'debian, ubuntu, ... (null before inventory)' },
      { name: 'os_name', meaning: 'Operating system name' },
      { name: 'os_version', meaning: 'Operating system version' },
      { name: 'machine_type', meaning: 'server, desktop, laptop, virtual, ...' },
      { name: 'cpu_model', meaning: 'CPU model' },
      { name: 'memory_total_mb', meaning: 'Memory in MB' },
      { name: 'ip_addresses', meaning: 'JSON array of addresses' },
      { name: 'last_logged_on_user', meaning: 'Last logged-on user' },
      { name: 'agent_version', meaning: 'Agent version' },
      { name: 'package_count', meaning: 'Installed packages' },
      { name: 'enrolled_at', meaning: 'When the device enrolled (ISO-8601)' },
      { name: 'last_contact_at', meaning: 'Last contact (ISO-8601)' },
      { name: 'last_inventory_at', meaning: 'Last inventory (ISO-8601)' },
      { name: 'obsolete_at', meaning: 'Marked obsolete (no heartbeat), or null' },
      { name: 'revoked_at', meaning: 'Revoked, or null' },
    ],
  },
  {
    name: 'v_update',
    description: 'The update catalog: one row per source package version per update source.',
    columns: V_UPDATE_COLUMNS,
  },
  {
    name: 'v_update_source_sync',
    description: 'Update sources with their last catalog sync (one row per source).',
    columns: [
      { name: 'source_id', meaning: 'Update source id' },
      { name: 'source_name', meaning: 'Update source name' },
      { name: 'url', meaning: 'Archive URL' },
      { name: 'suite', meaning: 'Suite' },
      { name: 'enabled', meaning: '1 when scheduled syncs run, 0 otherwise' },
      { name: 'sync_interval_hours', meaning: 'Scheduled sync interval' },
      { name: 'signed_by', meaning: 'Fingerprint that signed the last verified Release' },
      { name: 'last_sync_id', meaning: 'Last sync id, or null (never synced)' },
      { name: 'last_sync_state', meaning: 'running, succeeded or failed' },
      { name: 'last_sync_trigger', meaning: 'schedule or manual' },
      { name: 'last_sync_started_at', meaning: 'Start of the last sync' },
      { name: 'last_sync_finished_at', meaning: 'End of the last sync, or null while running' },
      { name: 'last_sync_failure', meaning: 'Failure kind (signature, download, ...) or null' },
      { name: 'last_sync_error', meaning: 'Failure message, or null' },
      { name: 'last_sync_packages_read', meaning: 'Package records read by the last sync' },
      { name: 'last_sync_added', meaning: 'Updates the last sync added' },
      { name: 'last_sync_superseded', meaning: 'Updates the last sync superseded' },
      { name: 'current_update_count', meaning: 'Updates of the source not superseded' },
    ],
  },
  {
    name: 'v_status_message',
    description: 'Status messages from agents and the site (one row per message).',
    columns: [
      { name: 'status_message_id', meaning: 'Row id (newer is larger)' },
      { name: 'message_id', meaning: 'Message id of the status catalog (e.g. 10002)' },
      { name: 'severity', meaning: 'informational, warning or error' },
      { name: 'type', meaning: 'milestone, detail or audit' },
      { name: 'component', meaning: 'Reporting component' },
      { name: 'device_id', meaning: 'Device id, or null for site messages' },
      { name: 'machine', meaning: 'Machine name as reported' },
      { name: 'site_code', meaning: 'Site code' },
      { name: 'at', meaning: 'When it happened (ISO-8601)' },
      { name: 'received_at', meaning: 'When the site received it' },
      { name: 'insertion_strings', meaning: 'JSON array: the values of the message text' },
    ],
  },
  {
    name: 'v_deployment_status',
    description: 'Program deployments per targeted device (one row per deployment and device).',
    columns: [
      { name: 'deployment_id', meaning: 'Deployment id' },
      { name: 'deployment_name', meaning: 'Deployment name' },
      { name: 'purpose', meaning: 'required or available' },
      { name: 'enabled', meaning: '1 enabled, 0 disabled' },
      { name: 'collection_id', meaning: 'Target collection id' },
      { name: 'program_id', meaning: 'Program id' },
      { name: 'program_name', meaning: 'Program name' },
      { name: 'device_id', meaning: 'Device id' },
      { name: 'device_name', meaning: 'Host name' },
      {
        name: 'state',
        meaning:
          'targeted, received, waiting-content, waiting-window, running, succeeded, reboot-pending, failed',
      },
      { name: 'reason_code', meaning: 'Why (failed / waiting), stable code, or null' },
      { name: 'reason', meaning: 'Why, as text, or null' },
      { name: 'exit_code', meaning: 'Exit code of the last run, or null' },
      { name: 'run_count', meaning: 'Runs so far' },
      { name: 'last_run_at', meaning: 'Last run, or null' },
      { name: 'next_run_at', meaning: 'Next scheduled run, or null' },
      { name: 'state_at', meaning: 'When the state was last reported' },
    ],
  },
  ...UPDATE_REPORT_VIEWS,
];

/** A built-in report's declaration: everything but what the API adds. */
export type ReportDeclaration = Omit<
  Report,
  'builtIn' | 'createdBy' | 'updatedAt' | 'timeoutSeconds' | 'refreshMinutes' | 'chart'
> &
  Partial<Pick<Report, 'timeoutSeconds' | 'refreshMinutes' | 'chart'>>;

/**
 * The built-in reports (seed 004, table 4), one declaration each: a domain adds a report by
 * adding an entry here (docs/reports.md). The SQL reads only `REPORT_VIEWS`, parameters are
 * `:name`; an optional parameter is compared through `cast(:name as text) is null`, which both
 * dialects type.
 */
export const BUILT_IN_REPORTS: readonly ReportDeclaration[] = [
  {
    id: 'update-infrastructure-status',
    title: 'Update infrastructure status (catalog sync and scan freshness)',
    description:
      'Each update source with its last catalog sync (state, when, what it read, why it failed), and how many computers scanned the current catalog, an older one, failed, are overdue or never scanned.',
    category: 'infrastructure',
    sql: `select source_name, suite, enabled, last_sync_state, last_sync_trigger,
  last_sync_started_at, last_sync_finished_at, last_sync_failure, last_sync_error,
  last_sync_added, current_update_count,
  (select count(*) from v_update_scan where audit_state = 'current') as scans_current,
  (select count(*) from v_update_scan where audit_state = 'stale-catalog') as scans_stale_catalog,
  (select count(*) from v_update_scan where audit_state = 'overdue') as scans_overdue,
  (select count(*) from v_update_scan where audit_state = 'failed') as scans_failed,
  (select count(*) from v_update_scan where audit_state = 'never') as never_scanned
from v_update_source_sync
order by source_name`,
    parameters: [],
    chart: { kind: 'bar', label: 'source_name', value: 'current_update_count' },
  },
  {
    id: 'status-messages-for-computer',
    title: 'Status messages for a specific computer in the last N days',
    description: 'Every status message of one computer (by name or id), newest first.',
    category: 'status-messages',
    sql: `select at, severity, message_id, component, machine, insertion_strings
from v_status_message
where (device_id = :computer or machine = :computer)
  and at >= :days
order by at desc, status_message_id desc`,
    parameters: [
      { name: 'computer', label: 'Computer (name or id)', type: 'text', required: true },
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
    id: 'deployment-status-summary',
    title: 'Deployment status summary',
    description: 'Per program deployment: targeted computers and how many are in each state.',
    category: 'deployment-status',
    sql: `select deployment_name, program_name, count(*) as targeted,
  sum(case when state = 'succeeded' then 1 else 0 end) as succeeded,
  sum(case when state = 'reboot-pending' then 1 else 0 end) as reboot_pending,
  sum(case when state = 'failed' then 1 else 0 end) as failed,
  sum(case when state in ('targeted', 'received', 'waiting-content', 'waiting-window', 'running')
    then 1 else 0 end) as in_progress
from v_deployment_status
group by deployment_id, deployment_name, program_name
order by deployment_name`,
    parameters: [],
    chart: { kind: 'bar', label: 'deployment_name', value: 'failed' },
  },
  {
    id: 'deployment-failures',
    title: 'Computers that returned errors for a deployment',
    description: 'Failed computers of every deployment, or of one (by name or id).',
    category: 'deployment-status',
    sql: `select deployment_name, device_name, reason_code, reason, exit_code, last_run_at
from v_deployment_status
where state = 'failed'
  and (cast(:deployment as text) is null
    or deployment_id = :deployment or deployment_name = :deployment)
order by deployment_name, device_name`,
    parameters: [
      { name: 'deployment', label: 'Deployment (name or id)', type: 'text', required: false },
    ],
  },
  ...UPDATE_REPORTS,
  ...UPDATE_DEPLOYMENT_REPORTS,
];

/** A declared report with the defaults filled in, as the API shows it. */
export function builtInReport(d: ReportDeclaration): Report {
  return {
    ...d,
    chart: d.chart ?? null,
    refreshMinutes: d.refreshMinutes ?? REPORT_LIMITS.refreshMinutes.default,
    timeoutSeconds: d.timeoutSeconds ?? REPORT_LIMITS.timeoutSeconds.default,
    builtIn: true,
    createdBy: null,
    updatedAt: null,
  };
}
