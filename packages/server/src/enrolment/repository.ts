import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, EnrolmentTokenTable } from '../db/tables/index.js';

export type EnrolmentTokenRow = Selectable<EnrolmentTokenTable>;

export async function insertEnrolmentToken(
  db: Kysely<Database>,
  row: Insertable<EnrolmentTokenTable>,
): Promise<void> {
  await db.insertInto('enrolment_token').values(row).execute();
}

/** Every enrolment token, newest first. */
export function listEnrolmentTokens(db: Kysely<Database>): Promise<EnrolmentTokenRow[]> {
  return db.selectFrom('enrolment_token').selectAll().orderBy('created_at', 'desc').execute();
}

/** Revokes a token; false when there is none with that id. */
export async function revokeEnrolmentToken(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db
    .updateTable('enrolment_token')
    .set({ revoked: 1 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The token whose secret hashes to `secretHash`, if any. */
export function findTokenBySecretHash(
  db: Kysely<Database>,
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
  db: Kysely<Database>,
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
