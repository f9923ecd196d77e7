import { activityCutoffs, isDeviceActive } from '../monitoring/activity-repository.js';
import { currentSiteSettings } from '../site/site-settings.js';
import type { ClientStatusDeviceRow } from '../devices/repository.js';

/**
 * "Is this device active" for client deployment status: client activity's own definition
 * (monitoring/activity-repository.ts: five signals, each within its threshold, or an answered
 * push-channel ping), so the dashboards and Monitoring > Client health never disagree.
 */
export function activeAt(now: Date): (device: ClientStatusDeviceRow) => boolean {
  const cutoffs = activityCutoffs(now, currentSiteSettings());
  return (device) => isDeviceActive(device, cutoffs);
}
