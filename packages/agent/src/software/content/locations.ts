import {
  agentOps,
  type ContentLocations,
  type AgentDeployment,
  type ContentLocation,
} from '@steward/protocol';
import type { HttpsClient } from '../../channel/https-client.js';
import { HttpStatusError } from '../../errors.js';
import { ContentUnavailableError } from './content-error.js';

const MINUTE_MS = 60_000;
/** The management point did not answer: ask again soon, it is usually a short outage. */
const LOCATIONS_RETRY_MS = 2 * MINUTE_MS;

/** Asks the management point where this client may get a package version's content. */
export async function fetchContentLocations(
  http: HttpsClient,
  packageVersionId: string,
): Promise<ContentLocations> {
  try {
    return await http.call(agentOps.distribution.contentLocations, {
      query: { packageVersionId },
    });
  } catch (err) {
    // A 4xx is the site's considered answer (unknown or superseded version): no location.
    if (err instanceof HttpStatusError)
      throw new ContentUnavailableError('NO_LOCATION', err.message, undefined, { cause: err });
    const message = err instanceof Error ? err.message : String(err);
    throw new ContentUnavailableError(
      'DOWNLOAD_FAILED',
      `cannot get content locations: ${message}`,
      LOCATIONS_RETRY_MS,
      { cause: err },
    );
  }
}

/** Tiers a deployment may use: without "allow a fallback DP" only the client's own groups' DPs
 * (`local`) or, for a client in no boundary group, the site's list (`default`). */
export function tierAllowed(tier: ContentLocation['tier'], allowFallback: boolean): boolean {
  switch (tier) {
    case 'local':
    case 'default':
      return true;
    case 'neighbour':
    case 'fallback':
      return allowFallback;
  }
}

export interface UsableLocations {
  /** In the order the site gave them, allowed and already past their `afterMinutes`. */
  usable: ContentLocation[];
  /** ms until the next allowed but not yet usable location becomes usable, if any. */
  nextInMs: number | undefined;
}

/**
 * Applies the deployment's fallback rule and `afterMinutes`, measured from the first time this
 * package version failed locally (`firstFailureMs`, persisted so a restart does not reset it).
 */
export function usableLocations(
  locations: ContentLocations,
  deployment: Pick<AgentDeployment, 'allowFallback'>,
  firstFailureMs: number | undefined,
  nowMs: number,
): UsableLocations {
  const usable: ContentLocation[] = [];
  let nextInMs: number | undefined;
  for (const loc of locations.locations) {
    if (!tierAllowed(loc.tier, deployment.allowFallback)) continue;
    if (loc.afterMinutes <= 0) {
      usable.push(loc);
      continue;
    }
    const since = firstFailureMs === undefined ? 0 : nowMs - firstFailureMs;
    const wait = loc.afterMinutes * MINUTE_MS - since;
    if (firstFailureMs !== undefined && wait <= 0) usable.push(loc);
    else nextInMs = Math.min(nextInMs ?? Infinity, wait);
  }
  return { usable, nextInMs };
}
