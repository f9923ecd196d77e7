import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Collections whose name contains `text` (global search, ADR 0033). */
export async function searchCollections(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('collection')
    .select(['id', 'name', 'member_count'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: r.member_count === 1 ? '1 member' : `${r.member_count} members`,
  }));
}
