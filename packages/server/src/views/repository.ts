import type { Selectable } from 'kysely';
import type { ViewList } from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import type { SavedViewTable } from '../db/tables/index.js';

export type SavedViewRow = Selectable<SavedViewTable>;

/** A user's own views of a list and every shared one, by name then owner. */
export function visibleViews(
  db: Queryable,
  opts: { userName: string; list: ViewList | undefined },
): Promise<SavedViewRow[]> {
  let q = db
    .selectFrom('saved_view')
    .selectAll()
    .where((eb) => eb.or([eb('owner', '=', opts.userName), eb('shared', '=', 1)]));
  if (opts.list !== undefined) q = q.where('list', '=', opts.list);
  return q.orderBy('name').orderBy('owner').execute();
}

/**
 * One view the user may see, by id, else by name (their own first, then a shared one); a
 * private view of another user is never returned.
 */
export async function findVisibleView(
  db: Queryable,
  opts: { userName: string; idOrName: string },
): Promise<SavedViewRow | undefined> {
  const visible = db
    .selectFrom('saved_view')
    .selectAll()
    .where((eb) => eb.or([eb('owner', '=', opts.userName), eb('shared', '=', 1)]));
  const byId = await visible.where('id', '=', opts.idOrName).executeTakeFirst();
  if (byId) return byId;
  const byName = await visible.where('name', '=', opts.idOrName).execute();
  return byName.find((r) => r.owner === opts.userName) ?? byName[0];
}

export async function insertView(
  db: Queryable,
  row: Omit<SavedViewRow, 'state'> & { state: string },
): Promise<void> {
  await db.insertInto('saved_view').values(row).execute();
}

export async function updateView(
  db: Queryable,
  opts: { id: string; name: string; shared: number; state: string | undefined; at: string },
): Promise<void> {
  await db
    .updateTable('saved_view')
    .set({
      name: opts.name,
      shared: opts.shared,
      updated_at: opts.at,
      ...(opts.state !== undefined ? { state: opts.state } : {}),
    })
    .where('id', '=', opts.id)
    .execute();
}

/** Deletes a view; the defaults naming it go with it (cascade). */
export async function deleteView(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('saved_view_default').where('view_id', '=', id).execute();
  await db.deleteFrom('saved_view').where('id', '=', id).execute();
}

/** When a view stops being shared, other users' defaults naming it go. */
export async function dropOthersDefaults(
  db: Queryable,
  opts: { viewId: string; owner: string },
): Promise<void> {
  await db
    .deleteFrom('saved_view_default')
    .where('view_id', '=', opts.viewId)
    .where('user_name', '<>', opts.owner)
    .execute();
}

/** The id of the user's default view of each list they have one for. */
export async function defaultViewIds(db: Queryable, userName: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('saved_view_default')
    .select('view_id')
    .where('user_name', '=', userName)
    .execute();
  return new Set(rows.map((r) => r.view_id));
}

/** Makes a view the user's default of its list (replacing any other). */
export async function setDefaultView(
  db: Queryable,
  opts: { userName: string; list: ViewList; viewId: string },
): Promise<void> {
  await db
    .insertInto('saved_view_default')
    .values({ user_name: opts.userName, list: opts.list, view_id: opts.viewId })
    .onConflict((oc) => oc.columns(['user_name', 'list']).doUpdateSet({ view_id: opts.viewId }))
    .execute();
}

export async function clearDefaultView(
  db: Queryable,
  opts: { userName: string; viewId: string },
): Promise<void> {
  await db
    .deleteFrom('saved_view_default')
    .where('user_name', '=', opts.userName)
    .where('view_id', '=', opts.viewId)
    .execute();
}
