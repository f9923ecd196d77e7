import type { Queryable } from '../../db/database.js';
import { nameSearch, type NamedHit } from '../../db/name-search.js';

/** Update groups whose name contains `text` (global search, ADR 0033). */
export async function searchUpdateGroups(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('update_group')
    .select(['id', 'name', 'description'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, detail: r.description }));
}

/** Update deployments whose name contains `text`, with the group they deploy (ADR 0033). */
export async function searchUpdateDeployments(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('update_deployment as d')
    .leftJoin('update_group as g', 'g.id', 'd.group_id')
    .select(['d.id', 'd.name', 'g.name as group'])
    .where(s.matches('d.name'))
    .orderBy(s.rank('d.name'))
    .orderBy('d.name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: r.group === null ? '' : `group ${r.group}`,
  }));
}
