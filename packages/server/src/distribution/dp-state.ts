import type { DistributionPointState } from '@steward/protocol';

/** How often DPs ask for their assignments (their heartbeat). */
export const DEFAULT_DP_POLL_SECONDS = 30;
/** A DP silent for this many poll intervals is offline: clients are not sent to it. */
export const OFFLINE_AFTER_POLLS = 3;

/** Poll interval: STEWARD_DP_POLL_SECONDS shortens it (tests), otherwise 30 s. */
export function dpPollSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.STEWARD_DP_POLL_SECONDS);
  return Number.isInteger(n) && n > 0 && n <= 3600 ? n : DEFAULT_DP_POLL_SECONDS;
}

/** The oldest last_seen_at that still counts as online at `now`. */
export function onlineSince(now: Date, pollSeconds = dpPollSeconds()): string {
  return new Date(now.getTime() - OFFLINE_AFTER_POLLS * pollSeconds * 1000).toISOString();
}

/**
 * pending until the DP process registers, then online while it polls. The site server's own DP
 * is online whenever a site process answers: whoever asks is talking to it.
 */
export function dpState(
  row: { is_site_server: number; registered_at: string | null; last_seen_at: string | null },
  now: Date,
  pollSeconds = dpPollSeconds(),
): DistributionPointState {
  if (row.is_site_server === 1) return 'online';
  if (row.registered_at === null) return 'pending';
  if (row.last_seen_at === null) return 'offline';
  return row.last_seen_at >= onlineSince(now, pollSeconds) ? 'online' : 'offline';
}
