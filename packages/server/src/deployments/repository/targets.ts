import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables/index.js';

type Tx = Kysely<Database>;

/*
 * Who a deployment change reaches: devices of collections, the collections a package is
 * deployed to, membership changes. TODO(issue 8, item 5): the device and membership reads
 * belong to the devices and collections domains; they move there when those offer them.
 */

export interface NudgeTarget {
  id: string;
  push_seen_at: string | null;
}

/** Unrevoked devices that are members of any of these collections. */
export function activeMembersOf(
  db: Tx,
  opts: { collectionIds: readonly string[] },
): Promise<NudgeTarget[]> {
  return db
    .selectFrom('device as d')
    .select(['d.id', 'd.push_seen_at'])
    .where('d.revoked_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('collection_member as m')
          .select('m.device_id')
          .whereRef('m.device_id', '=', 'd.id')
          .where('m.collection_id', 'in', [...opts.collectionIds]),
      ),
    )
    .execute();
}

/** These devices, unless revoked (one statement; the caller chunks). */
export function activeDevices(db: Tx, opts: { ids: readonly string[] }): Promise<NudgeTarget[]> {
  return db
    .selectFrom('device')
    .select(['id', 'push_seen_at'])
    .where('id', 'in', [...opts.ids])
    .where('revoked_at', 'is', null)
    .execute();
}

/** Collections of the enabled deployments that run a program of this package. */
export async function collectionsDeploying(db: Tx, opts: { packageId: string }): Promise<string[]> {
  const rows = await db
    .selectFrom('deployment as d')
    .innerJoin('program as p', 'p.id', 'd.program_id')
    .select('d.collection_id')
    .distinct()
    .where('p.package_id', '=', opts.packageId)
    .where('d.enabled', '=', 1)
    .execute();
  return rows.map((r) => r.collection_id);
}

/** A site setting's value (the membership watermark). */
export async function siteSetting(db: Tx, opts: { key: string }): Promise<string | undefined> {
  const row = await db
    .selectFrom('site_setting')
    .select('value')
    .where('key', '=', opts.key)
    .executeTakeFirst();
  return row?.value;
}

export async function saveSiteSetting(db: Tx, opts: { key: string; value: string }): Promise<void> {
  await db
    .insertInto('site_setting')
    .values({ key: opts.key, value: opts.value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: opts.value }))
    .execute();
}

/** Membership changes after this id, oldest first. */
export function membershipChangesAfter(
  db: Tx,
  opts: { afterId: number; limit: number },
): Promise<{ id: number | string | bigint; collection_id: string; device_id: string }[]> {
  return db
    .selectFrom('collection_membership_change')
    .select(['id', 'collection_id', 'device_id'])
    .where('id', '>', opts.afterId)
    .orderBy('id')
    .limit(opts.limit)
    .execute();
}

/** Which of these collections have a deployment or a maintenance window. */
export async function collectionsWithDeploymentsOrWindows(
  db: Tx,
  opts: { collectionIds: readonly string[] },
): Promise<Set<string>> {
  const ids = [...opts.collectionIds];
  return new Set(
    [
      ...(await db
        .selectFrom('deployment')
        .select('collection_id')
        .where('collection_id', 'in', ids)
        .execute()),
      ...(await db
        .selectFrom('maintenance_window')
        .select('collection_id')
        .where('collection_id', 'in', ids)
        .execute()),
    ].map((r) => r.collection_id),
  );
}
