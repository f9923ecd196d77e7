import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Distribution points whose name contains `text` (global search, ADR 0033). */
export async function searchDistributionPoints(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('distribution_point')
    .select(['id', 'name', 'description', 'is_site_server'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: r.is_site_server ? 'site server' : r.description,
  }));
}
