import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Packages whose name contains `text` (global search, ADR 0033). */
export async function searchPackages(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('software_package')
    .select(['id', 'name', 'publisher', 'version'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: [r.publisher, r.version].filter((x) => x !== '').join(' · '),
  }));
}
