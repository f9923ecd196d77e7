import type { Queryable } from '../../db/database.js';
import { nameSearch, type NamedHit } from '../../db/name-search.js';

/** CVEs the site knows (imported advisories and tracker data) whose id contains `text` (ADR 0074). */
export async function searchCves(db: Queryable, text: string, limit: number): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('cve')
    .select(['id', 'description'])
    .where(s.matches('id'))
    .orderBy(s.rank('id'))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  // A description runs to paragraphs; the hit shows its start.
  return rows.map((r) => ({ id: r.id, name: r.id, detail: r.description.slice(0, 120) }));
}
