import type { SiteSettings } from '@steward/protocol';
import { currentSiteSettings } from '../../site/site-settings.js';

const DAY_MS = 86_400_000;

/**
 * Supersedence expiry (ADR 0049): an update superseded at T expires at T + the site's delay
 * (0: at once), or never when the rule is off. Computed when read, never written by a timer:
 * the rule can change and every list, report and deployment reads the same answer.
 */
export function expiresAt(
  supersededAt: string | null,
  settings: SiteSettings = currentSiteSettings(),
): string | null {
  if (supersededAt === null || !settings.expireSupersededUpdates) return null;
  return new Date(
    Date.parse(supersededAt) + settings.supersededUpdateExpiryDays * DAY_MS,
  ).toISOString();
}

/**
 * Updates superseded at or before this instant are expired now; null when nothing expires.
 * What the deployable catalog leaves out (`superseded_at <= cutoff`).
 */
export function expiryCutoff(
  now: Date,
  settings: SiteSettings = currentSiteSettings(),
): string | null {
  if (!settings.expireSupersededUpdates) return null;
  return new Date(now.getTime() - settings.supersededUpdateExpiryDays * DAY_MS).toISOString();
}

export function isExpired(supersededAt: string | null, now: Date): boolean {
  const at = expiresAt(supersededAt);
  return at !== null && Date.parse(at) <= now.getTime();
}
