import type { ScanCatalog, ScanCatalogUpdate } from '@steward/protocol';
import { lockUntilCommit, type Dialect, type Queryable, type Tx } from '../../db/database.js';

/**
 * Catalog versions (ADR 0046): the number the agent holds and asks "what changed since". A new
 * version is written, in the transaction that changed the catalog, whenever the set of current
 * (not superseded) updates differs from the members of the latest version.
 */

const LOCK = 'update-catalog-version';
// Ids per IN list: far below both dialects' parameter limits.
const CHUNK = 1000;

export async function currentCatalogVersion(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('update_catalog_version')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return row?.v ?? 0;
}

export interface CatalogAdvance {
  version: number;
  /** The version before; equal to `version` when nothing changed. */
  previous: number;
  added: number;
  removed: string[];
  /** Current updates whose binaries a revision changed: served again as added at `version`. */
  revised: string[];
}

/** Writes a new catalog version if the current updates changed (inside the caller's transaction). */
export async function advanceCatalogVersion(
  tx: Tx,
  dialect: Dialect,
  at: string,
  revisedIds: readonly string[] = [],
): Promise<CatalogAdvance> {
  await lockUntilCommit(tx, dialect, LOCK);
  const previous = await currentCatalogVersion(tx);
  const current = new Set(
    (
      await tx
        .selectFrom('software_update')
        .select('id')
        .where('superseded_at', 'is', null)
        .execute()
    ).map((r) => r.id),
  );
  const members = new Set(
    (
      await tx
        .selectFrom('update_catalog_member')
        .select('update_id')
        .where('removed_version', 'is', null)
        .execute()
    ).map((r) => r.update_id),
  );
  const added = [...current].filter((id) => !members.has(id));
  const removed = [...members].filter((id) => !current.has(id));
  // Revised binaries change what the agents hold: the update moves to the new version, so a
  // delta since an older version carries it again (the agent replaces it by id).
  const revised = revisedIds.filter((id) => members.has(id) && current.has(id));
  if (added.length === 0 && removed.length === 0 && revised.length === 0 && previous > 0)
    return { version: previous, previous, added: 0, removed: [], revised: [] };
  const version = previous + 1;
  await tx
    .insertInto('update_catalog_version')
    .values({ version, created_at: at, update_count: current.size })
    .execute();
  for (let i = 0; i < added.length; i += CHUNK) {
    await tx
      .insertInto('update_catalog_member')
      .values(
        added
          .slice(i, i + CHUNK)
          .map((id) => ({ update_id: id, added_version: version, removed_version: null })),
      )
      .execute();
  }
  for (let i = 0; i < removed.length; i += CHUNK) {
    await tx
      .updateTable('update_catalog_member')
      .set({ removed_version: version })
      .where('update_id', 'in', removed.slice(i, i + CHUNK))
      .where('removed_version', 'is', null)
      .execute();
  }
  for (let i = 0; i < revised.length; i += CHUNK) {
    await tx
      .updateTable('update_catalog_member')
      .set({ added_version: version })
      .where('update_id', 'in', revised.slice(i, i + CHUNK))
      .where('removed_version', 'is', null)
      .execute();
  }
  return { version, previous, added: added.length, removed, revised };
}

/** The version each transaction's custom change wrote (Kysely hands one object per transaction). */
const customMarked = new WeakMap<Tx, number>();

/**
 * Writes a new catalog version marking that the custom updates' rules changed (ADR 0074), in
 * the transaction that changed them: the set of apt updates is the same (same count, no member
 * change), but every agent holding an older version fetches the custom set again, and the scan
 * audit calls its last scan stale until it scans again. Called again in the same transaction
 * (several custom updates written together), it writes nothing more and answers that version.
 */
export async function markCustomChanged(tx: Tx, dialect: Dialect, at: string): Promise<number> {
  // One version per transaction, however many custom updates it writes: an import of N is one
  // change for the agents (one catalog fetch), not N versions to step through.
  const marked = customMarked.get(tx);
  if (marked !== undefined) return marked;
  await lockUntilCommit(tx, dialect, LOCK);
  const previous = await currentCatalogVersion(tx);
  const countRow = await tx
    .selectFrom('update_catalog_version')
    .select('update_count')
    .where('version', '=', previous)
    .executeTakeFirst();
  const version = previous + 1;
  await tx
    .insertInto('update_catalog_version')
    .values({
      version,
      created_at: at,
      update_count: countRow?.update_count ?? 0,
      custom_changed: 1,
    })
    .execute();
  customMarked.set(tx, version);
  return version;
}

/** Whether the custom updates changed at a version after `since`, up to `version`. */
export async function customChangedSince(
  db: Queryable,
  since: number,
  version: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('update_catalog_version')
    .select('version')
    .where('version', '>', since)
    .where('version', '<=', version)
    .where('custom_changed', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}

async function binariesOf(db: Queryable, ids: string[]): Promise<ScanCatalogUpdate[]> {
  const byId = new Map<string, ScanCatalogUpdate>(ids.map((id) => [id, { id, binaries: [] }]));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('software_update_binary')
      .select(['update_id', 'package', 'arch', 'version'])
      .where('update_id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) byId.get(r.update_id)?.binaries.push([r.package, r.arch, r.version]);
  }
  return [...byId.values()];
}

/** How far back a delta is served; an agent further behind gets the whole catalog. */
export const MAX_DELTA_VERSIONS = 500;

/**
 * The catalog for an agent: whole, or the changes since `since` when the agent holds a version
 * of this site's catalog that is recent enough (ADR 0046).
 */
export async function scanCatalogFor(
  db: Queryable,
  since: number | undefined,
): Promise<ScanCatalog> {
  const version = await currentCatalogVersion(db);
  const countRow = await db
    .selectFrom('update_catalog_version')
    .select('update_count')
    .where('version', '=', version)
    .executeTakeFirst();
  const count = countRow?.update_count ?? 0;
  const delta =
    since !== undefined && since > 0 && since <= version && version - since <= MAX_DELTA_VERSIONS;
  if (!delta) {
    const ids = (
      await db
        .selectFrom('update_catalog_member')
        .select('update_id')
        .where('removed_version', 'is', null)
        .execute()
    ).map((r) => r.update_id);
    return { version, full: true, count, updates: await binariesOf(db, ids), removed: [] };
  }
  const addedIds = (
    await db
      .selectFrom('update_catalog_member')
      .select('update_id')
      .where('added_version', '>', since)
      .where((eb) =>
        eb.or([eb('removed_version', 'is', null), eb('removed_version', '>', version)]),
      )
      .execute()
  ).map((r) => r.update_id);
  const removed = (
    await db
      .selectFrom('update_catalog_member')
      .select('update_id')
      .where('added_version', '<=', since)
      .where('removed_version', '>', since)
      .execute()
  ).map((r) => r.update_id);
  return { version, full: false, count, updates: await binariesOf(db, addedIds), removed };
}
