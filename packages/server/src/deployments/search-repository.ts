import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Programs whose name contains `text`, with their package's id (global search, ADR 0033). */
export async function searchPrograms(
  db: Queryable,
  text: string,
  limit: number,
): Promise<(NamedHit & { packageId: string })[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('program')
    .select(['id', 'name', 'package_id', 'command_line'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    packageId: r.package_id,
    detail: r.command_line,
  }));
}

/** Deployments whose name contains `text` (global search, ADR 0033). */
export async function searchDeployments(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('deployment')
    .select(['id', 'name', 'purpose'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, detail: r.purpose }));
}
