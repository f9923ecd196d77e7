import type { Queryable } from '../../db/database.js';
import { nameSearch, type NamedHit } from '../../db/name-search.js';

/** Custom updates whose title contains `text` (global search, ADR 0033). */
export async function searchCustomUpdates(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('custom_update')
    .select(['id', 'title', 'vendor', 'product', 'version'])
    .where(s.matches('title'))
    .orderBy(s.rank('title'))
    .orderBy('title')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.title,
    detail: `${r.vendor} · ${r.product} ${r.version}`,
  }));
}
