import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Administrators whose name contains `text` (global search, ADR 0033). */
export async function searchUsers(db: Queryable, text: string, limit: number): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('admin_user')
    .select(['id', 'name', 'role', 'disabled'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: r.disabled ? `${r.role} (disabled)` : r.role,
  }));
}
