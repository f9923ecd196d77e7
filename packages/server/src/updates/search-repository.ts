import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/**
 * Software updates for global search (ADR 0033, 0074): by source package name or version, and by the CVE
 * or advisory id (DSA, DLA, USN) linked to them. Current updates come before superseded ones;
 * the detail says what matched when it was not the package.
 */
export async function searchUpdates(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const byPackage = await db
    .selectFrom('software_update')
    .select(['id', 'package', 'version', 'superseded_at'])
    .where((eb) => eb.or([s.matches('package'), s.matches('version')]))
    .orderBy(s.rank('package'))
    .orderBy((eb) => eb.case().when('superseded_at', 'is', null).then(0).else(1).end())
    .orderBy('package')
    .orderBy('version_key', 'desc')
    .limit(limit)
    .execute();
  const byAdvisory = await db
    .selectFrom('update_advisory as ua')
    .innerJoin('software_update as u', 'u.id', 'ua.update_id')
    .select(['u.id', 'u.package', 'u.version', 'u.superseded_at', 'ua.cve_id', 'ua.origin'])
    .where((eb) => eb.or([s.matches('ua.cve_id'), s.matches('ua.origin')]))
    .orderBy((eb) => eb.case().when('u.superseded_at', 'is', null).then(0).else(1).end())
    .orderBy('ua.cve_id')
    .orderBy('u.package')
    .limit(limit * 4)
    .execute();
  const lowered = text.toLowerCase();
  const out = new Map<string, NamedHit>();
  const superseded = (at: string | null) => (at === null ? '' : ' (superseded)');
  for (const r of byPackage)
    out.set(r.id, {
      id: r.id,
      name: `${r.package} ${r.version}`,
      detail: `${r.package.toLowerCase().includes(lowered) ? 'source package' : 'version'}${superseded(r.superseded_at)}`,
    });
  for (const r of byAdvisory) {
    if (out.size >= limit) break;
    if (out.has(r.id)) continue;
    const matched = r.cve_id.toLowerCase().includes(lowered) ? r.cve_id : r.origin;
    out.set(r.id, {
      id: r.id,
      name: `${r.package} ${r.version}`,
      detail: `fixes ${matched}${superseded(r.superseded_at)}`,
    });
  }
  return [...out.values()].slice(0, limit);
}
