import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** OS images whose name contains `text`, newest version first (global search, ADR 0033). */
export async function searchOsImages(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('os_image')
    .select(['id', 'name', 'version', 'os_pretty_name', 'arch'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: `${r.name} v${r.version}`,
    detail: `${r.os_pretty_name} · ${r.arch}`,
  }));
}
