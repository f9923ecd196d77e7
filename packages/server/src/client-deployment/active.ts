import { activeThresholdDays } from '../site/site-settings.js';

/**
 * "Is this device active" for client deployment status: it made contact (policy request,
 * heartbeat, inventory or status message, all of which set `last_contact_at`) within the site's
 * activity threshold, as Monitoring > Client activity counts it. The one place this domain
 * decides it, so per-kind thresholds (docs/client-health.md) replace it here alone.
 */
export function isDeviceActive(lastContactAt: string | null, now: Date): boolean {
  if (lastContactAt === null) return false;
  return Date.parse(lastContactAt) >= now.getTime() - activeThresholdDays() * 86400_000;
}
