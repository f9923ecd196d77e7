import {
  ClientSettingsOptions,
  SCAN_OVERDUE_DAYS,
  type DeploymentStateName,
  type UpdateSiteState,
} from '@steward/protocol';
import { isDeviceOnline, type PresenceColumns } from '../../devices/presence-repository.js';

/**
 * Site-derived states of update deployment devices (issue 10, ADR 0073): what the site knows
 * about a device that has not finished, that the device cannot say itself. The one definition;
 * `v_update_deployment_status` (migration 20261207T0320) writes the same rule in SQL, and the
 * update deployment int test checks that the two agree.
 */

/**
 * No contact for longer than this and no push channel: offline. The declared default policy
 * interval: an agent that has not even polled for policy in that time is not getting its
 * assignments. (A collection's own interval is not consulted: the report view is plain SQL.)
 */
export const OFFLINE_AFTER_MS = ClientSettingsOptions.policyIntervalSeconds.default * 1000;

/** No contact for longer than this: a scheduled scan is overdue, nothing heard since the last. */
export const NOT_COMMUNICATING_AFTER_MS = SCAN_OVERDUE_DAYS * 86_400_000;

/** States of a device still to finish: the site is waiting on the device. */
export const WAITING_STATES: ReadonlySet<string> = new Set<DeploymentStateName>([
  'targeted',
  'received',
  'waiting-content',
  'waiting-window',
  'running',
]);

export interface SiteStateColumns extends PresenceColumns {
  last_contact_at: string | null;
  /** The device's latest client check of the agent service: passed, failed or remediated. */
  service_outcome: string | null;
  service_detail: string | null;
}

export interface SiteState {
  state: UpdateSiteState;
  reason: string;
}

/** The site-derived state of a device, or null when the site has nothing to add. */
export function siteStateOf(row: SiteStateColumns, now: Date): SiteState | null {
  if (isDeviceOnline(row, now)) return null;
  const contact = row.last_contact_at;
  const since = contact === null ? 'never' : contact;
  if (row.service_outcome === 'failed')
    return {
      state: 'agent-stopped',
      reason: `the client check says the agent service is not running: ${row.service_detail ?? ''}`,
    };
  const silentFor = contact === null ? Infinity : now.getTime() - Date.parse(contact);
  if (silentFor > NOT_COMMUNICATING_AFTER_MS)
    return {
      state: 'not-communicating',
      reason: `nothing heard since its last scan (last contact ${since}); a scheduled scan is overdue`,
    };
  if (silentFor > OFFLINE_AFTER_MS)
    return {
      state: 'offline',
      reason: `no push channel and no contact within the policy interval (last contact ${since})`,
    };
  return null;
}

/** A site state takes over from a state the site is still waiting on the device to leave. */
export function appliesTo(state: string): boolean {
  return WAITING_STATES.has(state);
}
