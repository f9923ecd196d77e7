import type { Insertable, Selectable, Updateable } from 'kysely';
import type { AdminUserTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

export type UserRow = Selectable<AdminUserTable>;

export function findUserByName(db: Queryable, name: string): Promise<UserRow | undefined> {
  return db.selectFrom('admin_user').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('admin_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Queryable): Promise<UserRow[]> {
  return db.selectFrom('admin_user').selectAll().orderBy('name').execute();
}

export async function countActiveFullAdmins(db: Queryable, exceptId?: string): Promise<number> {
  let q = db
    .selectFrom('admin_user')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'full-administrator')
    .where('disabled', '=', 0);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findSession(
  db: Queryable,
  sessionId: string,
): Promise<{ user: UserRow; expiresAt: string } | undefined> {
  const row = await db
    .selectFrom('admin_session as s')
    .innerJoin('admin_user as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select('s.expires_at')
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { expires_at, ...user } = row;
  return { user, expiresAt: expires_at };
}

/** True when the site has at least one administrator account. */
export async function anyUserExists(db: Queryable): Promise<boolean> {
  const existing = await db.selectFrom('admin_user').select('id').limit(1).executeTakeFirst();
  return existing !== undefined;
}

/** Inserts an account; `ifNameFree` makes a taken name a no-op (false) instead of an error. */
export async function insertUser(
  db: Queryable,
  opts: { row: Insertable<AdminUserTable>; ifNameFree?: boolean },
): Promise<boolean> {
  let q = db.insertInto('admin_user').values(opts.row);
  if (opts.ifNameFree) q = q.onConflict((oc) => oc.column('name').doNothing());
  const inserted = await q.executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Changes an account's role, disabled flag or password hash (the fields given). */
export async function updateUser(
  db: Queryable,
  opts: { id: string; changes: Updateable<AdminUserTable> },
): Promise<void> {
  await db.updateTable('admin_user').set(opts.changes).where('id', '=', opts.id).execute();
}

export async function deleteUser(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('admin_user').where('id', '=', id).execute();
}

/**
 * Opens a session for a sign-in: the session row, the account's last sign-in time, and the
 * sessions expired by then removed (sign-ins are rare enough to carry the clean-up).
 */
export async function openSession(
  db: Queryable,
  opts: { sessionId: string; userId: string; at: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('admin_session')
    .values({
      id: opts.sessionId,
      user_id: opts.userId,
      created_at: opts.at,
      expires_at: opts.expiresAt,
    })
    .execute();
  await db
    .updateTable('admin_user')
    .set({ last_login_at: opts.at })
    .where('id', '=', opts.userId)
    .execute();
  await deleteExpiredSessions(db, opts.at);
}

export async function deleteSession(db: Queryable, sessionId: string): Promise<void> {
  await db.deleteFrom('admin_session').where('id', '=', sessionId).execute();
}

/** Ends every session of one account (disabled, or its password changed). */
export async function deleteSessionsOf(db: Queryable, userId: string): Promise<void> {
  await db.deleteFrom('admin_session').where('user_id', '=', userId).execute();
}

/** Removes the sessions that expired before `at`. */
export async function deleteExpiredSessions(db: Queryable, at: string): Promise<void> {
  await db.deleteFrom('admin_session').where('expires_at', '<', at).execute();
}
