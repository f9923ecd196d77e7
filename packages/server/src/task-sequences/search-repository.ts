import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/** Task sequences whose name contains `text` (global search, ADR 0033). */
export async function searchTaskSequences(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('task_sequence')
    .select(['id', 'name', 'kind', 'version'])
    .where(s.matches('name'))
    .orderBy(s.rank('name'))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, detail: `${r.kind} · version ${r.version}` }));
}

/** Task-sequence deployments whose name contains `text`, with their sequence (ADR 0033). */
export async function searchTaskSequenceDeployments(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('task_sequence_deployment as d')
    .innerJoin('task_sequence as ts', 'ts.id', 'd.sequence_id')
    .select(['d.id', 'd.name', 'd.purpose', 'ts.name as sequence'])
    .where(s.matches('d.name'))
    .orderBy(s.rank('d.name'))
    .orderBy('d.name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, detail: `${r.purpose} · ${r.sequence}` }));
}
