import type { Queryable } from '../db/database.js';

/** SQL of the site's side of the DP protocol: registration, heartbeat, assignments, file checks. */

/** The remote DP whose unused registration token hashes to `hash`. */
export function findDpByRegistrationHash(db: Queryable, hash: string) {
  return db
    .selectFrom('distribution_point')
    .select(['id', 'name', 'registration_expires_at'])
    .where('registration_hash', '=', hash)
    .where('is_site_server', '=', 0)
    .executeTakeFirst();
}

/**
 * Trades the registration token for a DP key: conditional on the token's hash, so of two
 * processes racing with one token exactly one wins. Returns whether this one did.
 */
export async function completeDpRegistration(
  tx: Queryable,
  opts: {
    dpId: string;
    registrationHash: string;
    keyHash: string;
    url: string;
    version: string;
    at: string;
  },
): Promise<boolean> {
  const r = await tx
    .updateTable('distribution_point')
    .set({
      key_hash: opts.keyHash,
      registration_hash: null,
      registration_expires_at: null,
      registered_at: opts.at,
      last_seen_at: opts.at,
      url: opts.url,
      version: opts.version,
    })
    .where('id', '=', opts.dpId)
    .where('registration_hash', '=', opts.registrationHash)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A DP's name and the hash of its key (null until it registered). */
export function findDpKey(db: Queryable, dpId: string) {
  return db
    .selectFrom('distribution_point')
    .select(['id', 'name', 'key_hash'])
    .where('id', '=', dpId)
    .executeTakeFirst();
}

/** A DP was heard from: its heartbeat, and what its report says of it. */
export async function markDpSeen(
  db: Queryable,
  opts: { dpId: string; at: string; version?: string; stored_bytes?: number; url?: string },
): Promise<void> {
  const { dpId, at, ...extra } = opts;
  await db
    .updateTable('distribution_point')
    .set({ last_seen_at: at, ...extra })
    .where('id', '=', dpId)
    .execute();
}

/**
 * The packages a DP is to hold with their current versions, in the order the DP pulls them:
 * package priority (seed 004), then name. The DP pulls one package after another and asks
 * again after each pass, so a package being pulled is not pre-empted and a new high-priority
 * one goes first in the next pass. A package without a version yet has nothing to hold.
 */
export function dpAssignmentRows(db: Queryable, dpId: string) {
  return db
    .selectFrom('dp_package as t')
    .innerJoin('software_package as p', 'p.id', 't.package_id')
    .innerJoin('package_version as v', 'v.id', 'p.current_version_id')
    .select([
      't.package_id',
      'p.name',
      't.version_id as target_version_id',
      't.validate_requested_at',
      'v.id',
      'v.number',
      'v.size_bytes',
    ])
    .where('t.dp_id', '=', dpId)
    .orderBy(
      (eb) =>
        eb
          .case()
          .when('p.priority', '=', 'high')
          .then(0)
          .when('p.priority', '=', 'medium')
          .then(1)
          .else(2)
          .end(),
      'asc',
    )
    .orderBy('p.name')
    .execute();
}

/** Whether `sha256` is a file of the current version of a package the DP is to hold. */
export async function dpHoldsFile(
  db: Queryable,
  opts: { dpId: string; sha256: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('dp_package as t')
    .innerJoin('software_package as p', 'p.id', 't.package_id')
    .innerJoin('package_version_file as f', 'f.version_id', 'p.current_version_id')
    .select('f.sha256')
    .where('t.dp_id', '=', opts.dpId)
    .where('f.sha256', '=', opts.sha256)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
