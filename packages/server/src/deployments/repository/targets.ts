import type { Queryable } from '../../db/database.js';

/*
 * Which collections a deployment change reaches (the devices in them are the devices domain's
 * to list, the membership changes the collections domain's).
 */

/** Collections of the enabled deployments that run a program of this package. */
export async function collectionsDeploying(
  db: Queryable,
  opts: { packageId: string },
): Promise<string[]> {
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

/** Which of these collections have a deployment or a maintenance window. */
export async function collectionsWithDeploymentsOrWindows(
  db: Queryable,
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
