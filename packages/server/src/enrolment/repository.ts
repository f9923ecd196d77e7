import type { Insertable, Selectable } from 'kysely';
import type { EnrolmentTokenTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

export type EnrolmentTokenRow = Selectable<EnrolmentTokenTable>;

export async function insertEnrolmentToken(
  db: Queryable,
  row: Insertable<EnrolmentTokenTable>,
): Promise<void> {
  await db.insertInto('enrolment_token').values(row).execute();
}

/** Every enrolment token, newest first. */
export function listEnrolmentTokens(db: Queryable): Promise<EnrolmentTokenRow[]> {
  return db.selectFrom('enrolment_token').selectAll().orderBy('created_at', 'desc').execute();
}

/** Revokes a token; false when there is none with that id. */
export async function revokeEnrolmentToken(db: Queryable, id: string): Promise<boolean> {
  const r = await db
    .updateTable('enrolment_token')
    .set({ revoked: 1 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The token whose secret hashes to `secretHash`, if any. */
export function findTokenBySecretHash(
  db: Queryable,
  secretHash: string,
): Promise<EnrolmentTokenRow | undefined> {
  return db
    .selectFrom('enrolment_token')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
}

/**
 * Consumes one use of a token, conditionally: two machines racing for the last use cannot both
 * win. False when the token had no use left.
 */
export async function consumeTokenUse(
  db: Queryable,
  opts: { id: string; maxUses: number },
): Promise<boolean> {
  const used = await db
    .updateTable('enrolment_token')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', opts.id)
    .where('uses', '<', opts.maxUses)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) > 0;
}
