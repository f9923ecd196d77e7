import type { ReportView } from './schemas.js';

/**
 * The patch-management report views (issue 10, ADR 0062; migration
 * 20261207T0150-update-report-views, docs/reports.md). Kept apart from definitions.ts so each
 * file stays readable; REPORT_VIEWS lists them.
 */

export const V_UPDATE_COLUMNS: ReportView['columns'] = [
  { name: 'update_id', meaning: 'Update id' },
  { name: 'package', meaning: 'Source package name' },
  { name: 'version', meaning: 'Version (Debian syntax)' },
  {
    name: 'classification',
    meaning: 'security, updates or other (from the suite; advisories make fixes security)',
  },
  { name: 'first_seen_at', meaning: 'When a sync first saw it' },
  { name: 'superseded_at', meaning: 'When a newer version replaced it, or null' },
  { name: 'superseded_by', meaning: 'The update id that replaced it, or null' },
  { name: 'source_id', meaning: 'Update source id' },
  { name: 'source_name', meaning: 'Update source name' },
  { name: 'suite', meaning: 'The suite it was published in' },
  { name: 'binary_count', meaning: 'How many binary packages it ships' },
  {
    name: 'severity',
    meaning: 'Worst severity of what it fixes: critical, high, medium, low or unknown',
  },
  {
    name: 'severity_level',
    meaning: 'The same as a number: critical 4, high 3, medium 2, low 1, unknown 0',
  },
  { name: 'cve_ids', meaning: 'CVE ids it fixes, space-separated and sorted, or null' },
  { name: 'advisory_ids', meaning: 'Advisory ids (DSA, DLA, USN, OSV), space-separated, or null' },
];

const KIND_COLUMN = {
  name: 'kind',
  meaning: 'apt (a catalog update) or custom (a custom update: package is vendor and product)',
};

/** One row per update deployment x targeted device x deployed update (ADR 0073). */
export const V_UPDATE_DEPLOYMENT_STATUS: ReportView = {
  name: 'v_update_deployment_status',
  description:
    'Update deployment x targeted device (current collection member) x deployed update, with the state the status API gives, ' +
    'the state the device reported, and what the site derives for a device it is still waiting on (offline, not communicating, agent stopped); ' +
    'custom updates (kind custom) are installed when the device scan of their rules says so.',
  columns: [
    { name: 'update_deployment_id', meaning: 'Update deployment id' },
    { name: 'update_deployment_name', meaning: 'Update deployment name' },
    { name: 'deployment_id', meaning: 'The software deployment it owns (v_deployment_status)' },
    { name: 'group_id', meaning: 'Update group id' },
    { name: 'group_name', meaning: 'Update group name, or null when the group is gone' },
    { name: 'collection_id', meaning: 'Target collection id' },
    { name: 'collection_name', meaning: 'Target collection name' },
    { name: 'enabled', meaning: '1 when the deployment is enabled, 0 when disabled' },
    { name: 'device_id', meaning: 'Device id' },
    { name: 'device_name', meaning: 'Host name' },
    { name: 'update_id', meaning: 'Update id' },
    { name: 'package', meaning: 'Source package name' },
    { name: 'version', meaning: 'Update version' },
    { name: 'removed', meaning: '1 when the update was removed from the deployment' },
    {
      name: 'state',
      meaning:
        'removed, installed (the device scan says so), offline, not-communicating, agent-stopped, or the reported state',
    },
    {
      name: 'device_state',
      meaning: "The device's state for the whole deployment: site_state, else reported_state",
    },
    {
      name: 'reported_state',
      meaning:
        'What the device reported: targeted (nothing yet), received, waiting-content, waiting-window, running, succeeded, reboot-pending, failed',
    },
    {
      name: 'site_state',
      meaning:
        'offline, not-communicating or agent-stopped for a device the site waits on, else null',
    },
    { name: 'site_reason', meaning: 'Why the site derived site_state, or null' },
    { name: 'reason_code', meaning: 'Reason code the device reported, or null' },
    { name: 'reason', meaning: 'Reason the device reported, as text, or null' },
    { name: 'exit_code', meaning: 'Exit code of the last run, or null' },
    { name: 'run_count', meaning: 'Runs so far' },
    { name: 'last_run_at', meaning: 'Last run, or null' },
    { name: 'state_at', meaning: 'When the device last reported a state, or null' },
    { name: 'last_contact_at', meaning: 'When the site last heard from the device, or null' },
    KIND_COLUMN,
  ],
};

export const UPDATE_REPORT_VIEWS: readonly ReportView[] = [
  {
    name: 'v_update_compliance',
    description:
      'Device x update where the update is installed, required or unknown on the device (not-required pairs have no row). ' +
      'From the device scan when it scanned the current catalog, else from its inventoried package set; ' +
      'custom updates (kind custom) from the device scan of their rules.',
    columns: [
      { name: 'device_id', meaning: 'Device id' },
      { name: 'device_name', meaning: 'Host name' },
      { name: 'update_id', meaning: 'Update id' },
      { name: 'package', meaning: 'Source package name' },
      { name: 'version', meaning: 'Update version' },
      { name: 'classification', meaning: 'security, updates or other' },
      { name: 'state', meaning: 'installed, required or unknown' },
      {
        name: 'hold',
        meaning: 'held (apt-mark hold) or pinned (apt pinning) for a required update, else null',
      },
      { name: 'basis', meaning: 'scan (the device scan) or inventory (its package set)' },
      { name: 'installed_at', meaning: 'When dpkg installed it (scan basis), or null' },
      {
        name: 'first_detected_at',
        meaning: 'When the site first saw it required on the device (scan basis), or null',
      },
      { name: 'scanned_at', meaning: 'When the device last scanned, or null' },
      KIND_COLUMN,
    ],
  },
  {
    name: 'v_update_compliance_count',
    description:
      'v_update_compliance counted per update, state, hold and basis, computed per package set (fast on large fleets).',
    columns: [
      { name: 'update_id', meaning: 'Update id' },
      { name: 'state', meaning: 'installed, required or unknown' },
      { name: 'hold', meaning: 'held or pinned (required updates held back), else null' },
      { name: 'basis', meaning: 'scan or inventory' },
      { name: 'device_count', meaning: 'How many devices' },
      {
        name: 'first_detected_at',
        meaning: 'Earliest first detection among them (scan basis), or null',
      },
      { name: 'kind', meaning: 'apt or custom' },
    ],
  },
  {
    name: 'v_update_scan',
    description: 'Scan audit: every device (not revoked) with its latest update scan.',
    columns: [
      { name: 'device_id', meaning: 'Device id' },
      { name: 'device_name', meaning: 'Host name' },
      {
        name: 'audit_state',
        meaning:
          'current, never, failed, stale-catalog (an older catalog) or overdue (older than 8 days)',
      },
      { name: 'scan_state', meaning: 'succeeded or failed, or null (never scanned)' },
      { name: 'kind', meaning: 'scheduled, on-demand or expedited, or null' },
      { name: 'catalog_version', meaning: 'Catalog version the scan used, or null' },
      { name: 'current_catalog_version', meaning: "The site's current catalog version" },
      { name: 'started_at', meaning: 'Scan start, or null' },
      { name: 'finished_at', meaning: 'Scan end, or null' },
      { name: 'received_at', meaning: 'When the site received it, or null' },
      { name: 'error', meaning: 'Why a failed scan failed, or null' },
    ],
  },
  {
    name: 'v_update_group',
    description: 'Update groups (approved update lists), one row per group.',
    columns: [
      { name: 'group_id', meaning: 'Update group id' },
      { name: 'group_name', meaning: 'Update group name' },
      { name: 'description', meaning: 'Description' },
      { name: 'created_at', meaning: 'When it was created' },
      { name: 'created_by', meaning: 'Who created it' },
      { name: 'updated_at', meaning: 'Last change' },
      { name: 'update_count', meaning: 'Updates in the group' },
    ],
  },
  {
    name: 'v_update_group_member',
    description: 'The updates of each update group (one row per group and update).',
    columns: [
      { name: 'group_id', meaning: 'Update group id' },
      { name: 'group_name', meaning: 'Update group name' },
      { name: 'update_id', meaning: 'Update id' },
      { name: 'package', meaning: 'Source package name' },
      { name: 'version', meaning: 'Update version' },
      { name: 'position', meaning: 'Order in the group (0 first)' },
      { name: 'added_at', meaning: 'When it was added' },
    ],
  },
  {
    name: 'v_cve',
    description: 'CVEs known from advisory feeds (one row per CVE).',
    columns: [
      { name: 'cve_id', meaning: 'CVE id' },
      { name: 'description', meaning: 'Description from the feed' },
      { name: 'updated_at', meaning: 'Last import that changed it' },
      { name: 'severity', meaning: 'Worst severity any feed gives it' },
      { name: 'fixing_update_count', meaning: 'Catalog updates that fix it' },
      {
        name: 'open_count',
        meaning: 'Releases and packages the feeds list with no fix released yet',
      },
    ],
  },
  {
    name: 'v_update_cve',
    description: 'Which catalog update first fixes which CVE (one row per update, CVE and origin).',
    columns: [
      { name: 'update_id', meaning: 'Update id' },
      { name: 'cve_id', meaning: 'CVE id' },
      { name: 'origin', meaning: 'tracker, or the advisory id that said it (DSA-..., USN-...)' },
      { name: 'severity', meaning: 'critical, high, medium, low or unknown' },
    ],
  },
  V_UPDATE_DEPLOYMENT_STATUS,
];
