import type { Queryable } from '../db/database.js';
import { nameSearch, type NamedHit } from '../db/name-search.js';

/**
 * The software-update objects of global search (ADR 0033) beside updates and CVEs: advisories
 * (by id or title), custom updates (by title, vendor, product or version), update groups,
 * update deployments and automatic deployment rules (by name).
 */

export async function searchAdvisories(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('advisory')
    .select(['id', 'kind', 'title'])
    .where((eb) => eb.or([s.matches('id'), s.matches('title')]))
    .orderBy(s.rank('id'))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.id, detail: `${r.kind.toUpperCase()} ${r.title}` }));
}

export async function searchCustomUpdates(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('custom_update')
    .select(['id', 'title', 'vendor', 'product', 'version'])
    .where((eb) =>
      eb.or(['title', 'vendor', 'product', 'version'].map((column) => s.matches(column))),
    )
    .orderBy(s.rank('title'))
    .orderBy('title')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.title,
    detail: `${r.vendor} ${r.product} ${r.version}`,
  }));
}

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

export async function searchUpdateDeployments(
  db: Queryable,
  text: string,
  limit: number,
): Promise<NamedHit[]> {
  const s = nameSearch(text);
  const rows = await db
    .selectFrom('update_deployment as ud')
    .innerJoin('deployment as d', 'd.id', 'ud.deployment_id')
    .innerJoin('collection as c', 'c.id', 'd.collection_id')
    .select(['ud.id', 'ud.name', 'c.name as collection_name', 'd.enabled'])
    .where(s.matches('ud.name'))
    .orderBy(s.rank('ud.name'))
    .orderBy('ud.name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    detail: `to ${r.collection_name}${r.enabled ? '' : ' (disabled)'}`,
  }));
}

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
    detail: `${r.enabled ? 'enabled' : 'disabled'}${r.description ? ` · ${r.description}` : ''}`,
  }));
}
