import type { Queryable } from '../../db/database.js';
import { nameSearch, type NamedHit } from '../../db/name-search.js';

/** Automatic deployment rules whose name contains `text` (global search, ADR 0033). */
export async function searchUpdateRules(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('update_rule')
    .select(['id', 'name', 'description', 'enabled'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail:
      r.enabled !== 0 ? r.description : `disabled${r.description ? ` · ${r.description}` : ''}`,
  }));
}
