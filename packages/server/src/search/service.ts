import {
  ROLE_PERMISSIONS,
  SEARCH_DEFAULT_PER_KIND,
  type SearchHit,
  type SearchKind,
  type SearchQuery,
  type SearchResult,
} from '@steward/protocol';
import { authorize, type Actor, type SiteContext } from '../context.js';
import { searchCollections } from '../collections/search-repository.js';
import { searchPackages } from '../content/search-repository.js';
import { searchDeployments, searchPrograms } from '../deployments/search-repository.js';
import { searchDevices, type DeviceSearchRow } from '../devices/search-repository.js';
import { searchDistributionPoints } from '../distribution/search-repository.js';
import { searchUsers } from '../users/search-repository.js';
import { searchUpdates } from '../updates/search-repository.js';
import { searchCves } from '../updates/advisories/search-repository.js';
import {
  searchAdvisories,
  searchCustomUpdates,
  searchUpdateDeployments,
  searchUpdateGroups,
  searchUpdateRules,
} from '../updates/objects-search-repository.js';
import {
  searchTaskSequenceDeployments,
  searchTaskSequences,
} from '../task-sequences/search-repository.js';
import { searchOsImages } from '../os-images/search-repository.js';
import { searchBootImages } from '../boot-images/search-repository.js';
import type { NamedHit } from '../db/name-search.js';

/**
 * Global search (ADR 0033): each domain's repository is asked for a few matches, all at once;
 * kinds the caller may not list (users need `users:write`) are left out and named.
 */
export async function globalSearch(
  ctx: SiteContext,
  actor: Actor,
  query: SearchQuery,
): Promise<SearchResult> {
  authorize(actor, 'read');
  const text = query.q.trim();
  const limit = query.limit ?? SEARCH_DEFAULT_PER_KIND;
  const mayListUsers = ROLE_PERMISSIONS[actor.role].includes('users:write');
  const hiddenKinds: SearchKind[] = mayListUsers ? [] : ['user'];
  if (text === '') return { hits: [], hiddenKinds };
  const db = ctx.db.kysely;
  const [devices, collections, packages, programs, deployments, updates, cves, users, dps] =
    await Promise.all([
      searchDevices(db, text, limit),
      searchCollections(db, text, limit),
      searchPackages(db, text, limit),
      searchPrograms(db, text, limit),
      searchDeployments(db, text, limit),
      searchUpdates(db, text, limit),
      searchCves(db, text, limit),
      mayListUsers ? searchUsers(db, text, limit) : Promise.resolve([]),
      searchDistributionPoints(db, text, limit),
    ]);
  // Objects found by name (advisories by id, custom updates by vendor/product/version too), in
  // SEARCH_KINDS order (ADR 0033).
  const [
    customUpdates,
    advisories,
    groups,
    updateDeployments,
    rules,
    sequences,
    tsDeployments,
    os,
    boot,
  ] = await Promise.all([
    searchCustomUpdates(db, text, limit),
    searchAdvisories(db, text, limit),
    searchUpdateGroups(db, text, limit),
    searchUpdateDeployments(db, text, limit),
    searchUpdateRules(db, text, limit),
    searchTaskSequences(db, text, limit),
    searchTaskSequenceDeployments(db, text, limit),
    searchOsImages(db, text, limit),
    searchBootImages(db, text, limit),
  ]);
  const named = (kind: SearchKind, rows: readonly NamedHit[]): SearchHit[] =>
    rows.map((r) => ({ kind, id: r.id, name: r.name, detail: r.detail }));
  return {
    hits: [
      ...devices.slice(0, limit).map((d) => deviceHit(d, text)),
      ...named('collection', collections),
      ...named('package', packages),
      // A program's page is its package's.
      ...programs.map((p) => ({
        kind: 'program' as const,
        id: p.id,
        name: p.name,
        detail: p.detail,
        packageId: p.packageId,
      })),
      ...named('deployment', deployments),
      ...named('update', updates),
      ...named('custom-update', customUpdates),
      ...named('cve', cves),
      ...named('advisory', advisories),
      ...named('update-group', groups),
      ...named('update-deployment', updateDeployments),
      ...named('update-rule', rules),
      ...named('task-sequence', sequences),
      ...named('task-sequence-deployment', tsDeployments),
      ...named('os-image', os),
      ...named('boot-image', boot),
      ...named('user', users),
      ...named('distribution-point', dps),
    ],
    hiddenKinds,
  };
}

/** A device hit, its detail saying what matched when it was not the name. */
function deviceHit(d: DeviceSearchRow, text: string): SearchHit {
  const t = text.toLowerCase();
  const revoked = d.revoked_at === null ? '' : ' (revoked)';
  const address = d.ip_addresses.split(',').find((a) => a.toLowerCase().includes(t));
  const detail =
    d.serial !== undefined
      ? `serial ${d.serial}`
      : d.name.toLowerCase().includes(t)
        ? [d.os_name, d.ip_addresses.split(',')[0]].filter(Boolean).join(' · ')
        : address !== undefined
          ? `address ${address}`
          : d.last_logged_on_user?.toLowerCase().includes(t)
            ? `user ${d.last_logged_on_user}`
            : '';
  return { kind: 'device', id: d.id, name: d.name, detail: detail + revoked };
}
