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

export const UPDATE_REPORT_VIEWS: readonly ReportView[] = [
  {
    name: 'v_update_compliance',
    description:
      'Device x update where the update is installed, required or unknown on the device (not-required pairs have no row). ' +
      'From the device scan when it scanned the current catalog, else from its inventoried package set.',
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
];
