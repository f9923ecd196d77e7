import type { ContentLocation } from '@steward/protocol';

/** Fallback to DPs outside the client's groups and their neighbours: the site default (ADR 0007). */
export const SITE_FALLBACK_MINUTES = 120;

/** A DP that is online and holds the content asked for. */
export interface CandidateDp {
  id: string;
  name: string;
  url: string;
  protected: boolean;
  isSiteServer: boolean;
}

export interface LocationGroup {
  id: string;
  slow: boolean;
  dpIds: readonly string[];
  neighbours: readonly { boundaryGroupId: string; fallbackAfterMinutes: number }[];
}

export interface LocationInput {
  /** G: the boundary groups whose boundaries contain the client address. */
  clientGroupIds: readonly string[];
  /** Every group of G and every neighbour of a group of G, by id. */
  groups: ReadonlyMap<string, LocationGroup>;
  candidates: readonly CandidateDp[];
}

export interface LocationResult {
  boundaryGroupIds: string[];
  slow: boolean;
  locations: ContentLocation[];
}

/** Site server last (it carries the whole site), then by name. */
function byPreference(a: CandidateDp, b: CandidateDp): number {
  if (a.isSiteServer !== b.isSiteServer) return a.isSiteServer ? 1 : -1;
  return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function entry(dp: CandidateDp, tier: ContentLocation['tier'], afterMinutes: number) {
  return { dpId: dp.id, name: dp.name, url: dp.url, tier, afterMinutes };
}

/**
 * Where a client gets content, best first (ADR 0007 "Boundaries and content location"):
 * 1. `local`: DPs of the client's groups G, protected or not, at once;
 * 2. `neighbour`: unprotected DPs of G's neighbours after the link's fallbackAfterMinutes (the
 *    shortest link when several groups of G name the same neighbour);
 * 3. `fallback`: every other unprotected DP after the site default (120 minutes).
 * When G has no candidate at all, tiers 2 and 3 are usable at once: a protected DP that is down
 * sends its clients to the nearest unprotected one without waiting. A client in no group gets
 * `default`: every unprotected DP, site server last. `slow` is any group of G marked slow.
 */
export function resolveContentLocations(input: LocationInput): LocationResult {
  const g = [...new Set(input.clientGroupIds)].filter((id) => input.groups.has(id)).sort();
  const unprotected = input.candidates.filter((d) => !d.protected).sort(byPreference);
  if (g.length === 0)
    return {
      boundaryGroupIds: [],
      slow: false,
      locations: unprotected.map((dp) => entry(dp, 'default', 0)),
    };
  const groups = g.flatMap((id) => {
    const group = input.groups.get(id);
    return group ? [group] : [];
  });
  const localIds = new Set(groups.flatMap((x) => x.dpIds));
  const local = input.candidates.filter((d) => localIds.has(d.id)).sort(byPreference);
  const immediate = local.length === 0;
  const listed = new Set(local.map((d) => d.id));

  // Shortest wait per neighbour DP over every link from G (groups of G are not their own neighbours).
  const wait = new Map<string, number>();
  for (const link of groups.flatMap((x) => x.neighbours)) {
    if (g.includes(link.boundaryGroupId)) continue;
    for (const dpId of input.groups.get(link.boundaryGroupId)?.dpIds ?? []) {
      const known = wait.get(dpId);
      if (known === undefined || link.fallbackAfterMinutes < known)
        wait.set(dpId, link.fallbackAfterMinutes);
    }
  }
  const neighbour = unprotected
    .filter((d) => !listed.has(d.id) && wait.has(d.id))
    .sort((a, b) => (wait.get(a.id) ?? 0) - (wait.get(b.id) ?? 0) || byPreference(a, b));
  for (const d of neighbour) listed.add(d.id);
  const fallback = unprotected.filter((d) => !listed.has(d.id));

  return {
    boundaryGroupIds: g,
    slow: groups.some((x) => x.slow),
    locations: [
      ...local.map((dp) => entry(dp, 'local', 0)),
      ...neighbour.map((dp) => entry(dp, 'neighbour', immediate ? 0 : (wait.get(dp.id) ?? 0))),
      ...fallback.map((dp) => entry(dp, 'fallback', immediate ? 0 : SITE_FALLBACK_MINUTES)),
    ],
  };
}
