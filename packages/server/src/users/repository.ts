import type { Kysely, Selectable } from 'kysely';
import type { AdminUserTable, Database } from '../db/tables/index.js';

export type UserRow = Selectable<AdminUserTable>;

export function findUserByName(db: Kysely<Database>, name: string): Promise<UserRow | undefined> {
  return db.selectFrom('admin_user').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('admin_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Kysely<Database>): Promise<UserRow[]> {
  return db.selectFrom('admin_user').selectAll().orderBy('name').execute();
}

export async function countActiveFullAdmins(
  db: Kysely<Database>,
  exceptId?: string,
): Promise<number> {
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
  db: Kysely<Database>,
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
