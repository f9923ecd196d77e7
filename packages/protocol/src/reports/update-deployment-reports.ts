import type { ReportDeclaration } from './definitions.js';
import type { ReportParameter } from './schemas.js';

/**
 * The seed's deployment-status reports for update deployments (seed 004 table 4, ADR 0073), on
 * `v_update_deployment_status`. `device_state` is a device's state for the whole deployment
 * (the site-derived one first); `state` is its state for one update.
 */

const DEPLOYMENT: ReportParameter = {
  name: 'deployment',
  label: 'Update deployment (name or id)',
  type: 'text',
  required: true,
};

const WHERE_DEPLOYMENT = `(s.update_deployment_id = :deployment or s.update_deployment_name = :deployment)`;

export const UPDATE_DEPLOYMENT_REPORTS: readonly ReportDeclaration[] = [
  {
    id: 'update-deployment-status-summary',
    title: 'Update deployment status summary',
    description:
      'Per update deployment: computers targeted, succeeded, pending a restart, failed, in progress, and unreachable (offline, not communicating, agent stopped).',
    category: 'deployment-status',
    sql: `select s.update_deployment_name, s.group_name, s.collection_name, s.enabled,
  count(distinct s.device_id) as targeted,
  count(distinct case when s.device_state = 'succeeded' then s.device_id end) as succeeded,
  count(distinct case when s.device_state = 'reboot-pending' then s.device_id end)
    as reboot_pending,
  count(distinct case when s.device_state = 'failed' then s.device_id end) as failed,
  count(distinct case when s.site_state is null and s.device_state in
    ('targeted', 'received', 'waiting-content', 'waiting-window', 'running')
    then s.device_id end) as in_progress,
  count(distinct case when s.site_state is not null then s.device_id end) as unreachable
from v_update_deployment_status s
group by s.update_deployment_id, s.update_deployment_name, s.group_name, s.collection_name,
  s.enabled
order by s.update_deployment_name`,
    parameters: [],
    chart: { kind: 'bar', label: 'update_deployment_name', value: 'failed' },
  },
  {
    id: 'update-deployment-status-by-update',
    title: 'Update deployment status by update id',
    description:
      'For one update deployment, per update: computers where it is installed, succeeded, failed, in progress, unreachable or removed.',
    category: 'deployment-status',
    sql: `select s.package, s.version,
  sum(case when s.state = 'installed' then 1 else 0 end) as installed,
  sum(case when s.state in ('succeeded', 'reboot-pending') then 1 else 0 end) as succeeded,
  sum(case when s.state = 'failed' then 1 else 0 end) as failed,
  sum(case when s.state in ('targeted', 'received', 'waiting-content', 'waiting-window',
    'running') then 1 else 0 end) as in_progress,
  sum(case when s.state in ('offline', 'not-communicating', 'agent-stopped') then 1 else 0 end)
    as unreachable,
  sum(case when s.state = 'removed' then 1 else 0 end) as removed,
  s.update_id
from v_update_deployment_status s
where ${WHERE_DEPLOYMENT}
group by s.update_id, s.package, s.version
order by s.package, s.version`,
    parameters: [DEPLOYMENT],
    chart: { kind: 'bar', label: 'version', value: 'failed' },
  },
  {
    id: 'update-deployment-failures',
    title: 'Summary of failed update deployments',
    description:
      'Per update deployment and reason: computers that failed or that the site finds offline, not communicating or with the agent stopped.',
    category: 'deployment-status',
    sql: `select s.update_deployment_name,
  coalesce(s.site_state, s.reason_code, 'failed') as failure,
  count(distinct s.device_id) as computers,
  min(coalesce(s.site_reason, s.reason)) as example_reason
from v_update_deployment_status s
where s.device_state = 'failed' or s.site_state is not null
group by s.update_deployment_id, s.update_deployment_name,
  coalesce(s.site_state, s.reason_code, 'failed')
order by computers desc, s.update_deployment_name`,
    parameters: [],
    chart: { kind: 'bar', label: 'failure', value: 'computers' },
  },
  {
    id: 'update-deployment-error-computers',
    title: 'Computers that returned errors for an update deployment',
    description:
      'For one update deployment: each computer that failed or that the site cannot reach, with the reason and its last run and contact.',
    category: 'deployment-status',
    sql: `select distinct s.device_name, s.device_state, s.reason_code,
  coalesce(s.site_reason, s.reason) as reason, s.exit_code, s.last_run_at,
  s.last_contact_at, s.device_id
from v_update_deployment_status s
where ${WHERE_DEPLOYMENT}
  and (s.device_state = 'failed' or s.site_state is not null)
order by s.device_name`,
    parameters: [DEPLOYMENT],
  },
  {
    id: 'computers-in-deployment-state',
    title: 'Computers in a specific deployment state for an update',
    description:
      'Computers whose state for the update, in any update deployment of it, is the one given (installed, succeeded, failed, running, offline, ...).',
    category: 'deployment-status',
    sql: `select s.device_name, s.update_deployment_name, s.package, s.version, s.state,
  coalesce(s.site_reason, s.reason) as reason, s.last_run_at, s.device_id
from v_update_deployment_status s
where (s.update_id = :update or s.package = :update) and s.state = :state
order by s.device_name, s.update_deployment_name`,
    parameters: [
      {
        name: 'update',
        label: 'Update (id, or source package for every version)',
        type: 'text',
        required: true,
      },
      {
        name: 'state',
        label: 'State (installed, succeeded, failed, running, offline, not-communicating, ...)',
        type: 'text',
        required: true,
        default: 'failed',
      },
    ],
  },
];
