import { sql } from 'kysely';
import type { Dialect, Queryable, Tx } from '../../db/database.js';
import { advanceCatalogVersion, currentCatalogVersion } from './catalog-version-repository.js';

/**
 * Server-side applicability per DISTINCT package set (ADR 0047), in SQL: installed dpkg packages
 * (package_set_item) joined to the updates' binaries (software_update_binary) by name and
 * architecture, compared by version_key (byte order = dpkg order). The rule is the agent's
 * (agent updates/scan/evaluate.ts), so the two answers agree:
 *   an installed binary older than the update's -> required; all installed binaries at or above
 *   -> installed; none installed -> not required (no row).
 */

const stateOf = sql<string>`case when min(case when i.version_key < b.version_key then 0 else 1 end) = 0 then 'required' else 'installed' end`;

/** Rows for the updates added at catalog `version`, on every set already computed. */
async function addUpdatesToComputedSets(tx: Tx, version: number): Promise<void> {
  await sql`
    insert into update_applicability (set_id, update_id, state)
    select i.set_id, b.update_id, ${stateOf}
    from update_catalog_member m
    join software_update_binary b on b.update_id = m.update_id
    join package_set_item i on i.name = b.package and i.arch = b.arch and i.manager = 'dpkg'
    join update_applicability_set s on s.set_id = i.set_id
    where m.added_version = ${version}
    group by i.set_id, b.update_id`.execute(tx);
}

/** Every current update against the given sets (new sets, or sets left behind). */
async function computeSets(tx: Queryable, setIds: readonly string[], version: number, at: string) {
  for (const setId of setIds) {
    await tx.deleteFrom('update_applicability').where('set_id', '=', setId).execute();
    // CROSS JOIN with the conditions in WHERE: SQLite then keeps this order (the set's items,
    // each item's binaries by name and architecture, then catalog membership) instead of walking
    // every current update for every item (4 s against 0.08 s per set with ~1,100 packages and
    // ~400 updates, ADR 0064); PostgreSQL plans it as the inner join it is.
    await sql`
      insert into update_applicability (set_id, update_id, state)
      select i.set_id, b.update_id, ${stateOf}
      from package_set_item i
      cross join software_update_binary b
      cross join update_catalog_member m
      where i.set_id = ${setId} and i.manager = 'dpkg'
        and b.package = i.name and b.arch = i.arch
        and m.update_id = b.update_id and m.removed_version is null
      group by i.set_id, b.update_id`.execute(tx);
    await tx
      .insertInto('update_applicability_set')
      .values({ set_id: setId, catalog_version: version, computed_at: at })
      .onConflict((oc) =>
        oc.column('set_id').doUpdateSet({ catalog_version: version, computed_at: at }),
      )
      .execute();
  }
}

/**
 * After the catalog changed (a sync, a source deleted), in the same transaction: a new catalog
 * version, and applicability brought to it — only the added updates' joins for sets already
 * computed (the cost of a sync that adds one update is one update's join), full joins for sets
 * never computed or left behind. `revisedIds`: updates whose binaries a revision changed; their
 * rows are computed again like an added update's.
 */
export async function catalogChanged(
  tx: Tx,
  dialect: Dialect,
  at: string,
  revisedIds: readonly string[] = [],
): Promise<number> {
  const advance = await advanceCatalogVersion(tx, dialect, at, revisedIds);
  if (advance.version !== advance.previous) {
    const stale = [...advance.removed, ...advance.revised];
    for (let i = 0; i < stale.length; i += 1000)
      await tx
        .deleteFrom('update_applicability')
        .where('update_id', 'in', stale.slice(i, i + 1000))
        .execute();
    await addUpdatesToComputedSets(tx, advance.version);
    await tx
      .updateTable('update_applicability_set')
      .set({ catalog_version: advance.version, computed_at: at })
      .where('catalog_version', '=', advance.previous)
      .execute();
  }
  const behind = await tx
    .selectFrom('package_set as p')
    .leftJoin('update_applicability_set as s', 's.set_id', 'p.id')
    .select('p.id')
    .where((eb) =>
      eb.or([eb('s.set_id', 'is', null), eb('s.catalog_version', '<', advance.version)]),
    )
    .execute();
  await computeSets(
    tx,
    behind.map((r) => r.id),
    advance.version,
    at,
  );
  return advance.version;
}

/** A package set was just stored (inventory): its applicability against the current catalog. */
export async function packageSetAdded(tx: Queryable, setId: string, at: string): Promise<void> {
  const version = await currentCatalogVersion(tx);
  if (version === 0) return;
  await computeSets(tx, [setId], version, at);
}
