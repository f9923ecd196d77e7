import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { Type } from '@sinclair/typebox';
import {
  debianVersionKey,
  UpdateBinary,
  UPDATE_SEVERITY_ORDER,
  type UpdateClassification,
  type UpdateSeverity,
  type UpdateSyncFailure,
} from '@steward/protocol';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Queryable, type Tx } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';

type SourceTable = Database['update_source'];
type SyncTable = Database['update_sync'];
type UpdateTable = Database['software_update'];
type BinaryTable = Database['software_update_binary'];
export type SourceRow = Selectable<SourceTable>;
export type SyncRow = Selectable<SyncTable>;
export type UpdateRow = Selectable<UpdateTable> & { source_name: string };

const WORDS = Type.Array(Type.String());
const BINARIES = Type.Array(UpdateBinary);

/** A source's components and architectures (JSON arrays); a corrupt row is an error. */
export function sourceLists(r: SourceRow): { components: string[]; architectures: string[] } {
  return {
    components: parseJsonColumn(WORDS, r.components, {
      table: 'update_source',
      id: r.id,
      column: 'components',
    }),
    architectures: parseJsonColumn(WORDS, r.architectures, {
      table: 'update_source',
      id: r.id,
      column: 'architectures',
    }),
  };
}

/** An update's binary packages (a JSON array); a corrupt row is an error. */
export function updateBinaries(r: { id: string; binaries: string }): UpdateBinary[] {
  return parseJsonColumn(BINARIES, r.binaries, {
    table: 'software_update',
    id: r.id,
    column: 'binaries',
  });
}

// ---- sources ----

export async function insertSource(db: Queryable, row: Insertable<SourceTable>): Promise<void> {
  await db.insertInto('update_source').values(row).execute();
}

export async function updateSourceRow(
  db: Queryable,
  id: string,
  set: Updateable<SourceTable>,
): Promise<void> {
  await db.updateTable('update_source').set(set).where('id', '=', id).execute();
}

export async function deleteSourceRow(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('update_source').where('id', '=', id).executeTakeFirst();
  return toNumber(r.numDeletedRows) > 0;
}

/** A source by id, or by name when no id matches. */
export async function findSource(db: Queryable, idOrName: string): Promise<SourceRow | undefined> {
  const row =
    (await db
      .selectFrom('update_source')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    (await db
      .selectFrom('update_source')
      .selectAll()
      .where('name', '=', idOrName)
      .executeTakeFirst());
  return row && checkRow('update_source', row.id, row);
}

export async function listSources(db: Queryable): Promise<SourceRow[]> {
  const rows = await db.selectFrom('update_source').selectAll().orderBy('name').execute();
  return rows.map((r) => checkRow('update_source', r.id, r));
}

/** How many current updates each source publishes. */
export async function updateCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('software_update')
    .select(['source_id', (eb) => eb.fn.countAll().as('n')])
    .where('superseded_at', 'is', null)
    .groupBy('source_id')
    .execute();
  return new Map(rows.map((r) => [r.source_id, toNumber(r.n)]));
}

/** Enabled sources whose last sync started before `before` (or never): due for a scheduled one. */
export async function sourcesDue(db: Queryable, now: Date): Promise<SourceRow[]> {
  const rows = await db.selectFrom('update_source').selectAll().where('enabled', '=', 1).execute();
  return rows
    .map((r) => checkRow('update_source', r.id, r))
    .filter(
      (r) =>
        r.last_sync_started_at === null ||
        Date.parse(r.last_sync_started_at) + r.sync_interval_hours * 3_600_000 <= now.getTime(),
    );
}

// ---- syncs ----

export async function insertSync(db: Queryable, row: Insertable<SyncTable>): Promise<void> {
  await db.insertInto('update_sync').values(row).execute();
}

export async function findSync(db: Queryable, id: string): Promise<SyncRow | undefined> {
  const row = await db
    .selectFrom('update_sync')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && checkRow('update_sync', row.id, row);
}

export async function findSyncs(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, SyncRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('update_sync')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, checkRow('update_sync', r.id, r)]));
}

export async function runningSync(db: Queryable, sourceId: string): Promise<SyncRow | undefined> {
  const row = await db
    .selectFrom('update_sync')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return row && checkRow('update_sync', row.id, row);
}

export async function listSyncs(
  db: Queryable,
  sourceId: string,
  page: { offset: number; limit: number },
): Promise<{ rows: SyncRow[]; total: number }> {
  const total = await db
    .selectFrom('update_sync')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('update_sync')
    .selectAll()
    .where('source_id', '=', sourceId)
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { rows: rows.map((r) => checkRow('update_sync', r.id, r)), total: toNumber(total?.n) };
}

export async function recordSyncProgress(
  db: Queryable,
  id: string,
  p: { indexesTotal: number; indexesDone: number; packagesRead: number; at: string },
): Promise<void> {
  await db
    .updateTable('update_sync')
    .set({
      indexes_total: p.indexesTotal,
      indexes_done: p.indexesDone,
      packages_read: p.packagesRead,
      progress_at: p.at,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute();
}

/** Ends a running sync; false when it had already ended (another process called it stale). */
export async function finishSync(
  db: Queryable,
  id: string,
  end: {
    state: 'succeeded' | 'unchanged' | 'failed';
    at: string;
    added: number;
    superseded: number;
    failure: UpdateSyncFailure | null;
    error: string | null;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('update_sync')
    .set({
      state: end.state,
      finished_at: end.at,
      progress_at: end.at,
      added: end.added,
      superseded: end.superseded,
      failure: end.failure,
      error: end.error,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return toNumber(r.numUpdatedRows) > 0;
}

/** Running syncs whose progress has not moved since `before` (their process is gone). */
export async function staleRunningSyncs(db: Queryable, before: string): Promise<SyncRow[]> {
  const rows = await db
    .selectFrom('update_sync')
    .selectAll()
    .where('state', '=', 'running')
    .where('progress_at', '<', before)
    .execute();
  return rows.map((r) => checkRow('update_sync', r.id, r));
}

// ---- the catalog ----

/** The versions a source already has of the given source packages (current and superseded). */
/** A version a source already has, with the digest of its files as the indexes gave them. */
export interface KnownVersion {
  id: string;
  version: string;
  versionKey: string;
  superseded: boolean;
  digest: string | null;
  /** The stored binary list (JSON), to tell a revision that changed it. */
  binaries: string;
}

/**
 * A changed index replaced this version's files: the new digest, and (unless the update had
 * none yet, synced before digests existed) one more revision at `at`. With `binaries`, the
 * revision also changed which binaries the version has (a binary added or dropped): the list
 * and its rows are replaced, and the caller hands the id to `catalogChanged`.
 */
export async function reviseUpdate(
  tx: Tx,
  o: { id: string; digest: string; revise: boolean; at: string; binaries?: string },
): Promise<void> {
  const binaries = o.binaries === undefined ? {} : { binaries: o.binaries };
  await tx
    .updateTable('software_update')
    .set((eb) =>
      o.revise
        ? {
            index_digest: o.digest,
            revised_at: o.at,
            revision: eb('revision', '+', 1),
            ...binaries,
          }
        : { index_digest: o.digest, ...binaries },
    )
    .where('id', '=', o.id)
    .execute();
  if (o.binaries === undefined) return;
  await tx.deleteFrom('software_update_binary').where('update_id', '=', o.id).execute();
  await insertBinaryRows(tx, [{ id: o.id, binaries: o.binaries }]);
}

export async function knownVersions(
  tx: Tx,
  sourceId: string,
): Promise<Map<string, KnownVersion[]>> {
  const rows = await tx
    .selectFrom('software_update')
    .select([
      'id',
      'package',
      'version',
      'version_key',
      'superseded_at',
      'index_digest',
      'binaries',
    ])
    .where('source_id', '=', sourceId)
    .execute();
  const out = new Map<string, KnownVersion[]>();
  for (const r of rows) {
    const list = out.get(r.package) ?? [];
    list.push({
      id: r.id,
      version: r.version,
      versionKey: r.version_key,
      superseded: r.superseded_at !== null,
      digest: r.index_digest,
      binaries: r.binaries,
    });
    out.set(r.package, list);
  }
  return out;
}

/** New updates with their binaries as rows (software_update_binary: what SQL joins on). */
export async function insertUpdates(tx: Tx, rows: Insertable<UpdateTable>[]): Promise<void> {
  // Bounded statements: SQLite allows 32,766 parameters, PostgreSQL 65,535.
  for (let i = 0; i < rows.length; i += 500)
    await tx
      .insertInto('software_update')
      .values(rows.slice(i, i + 500))
      .execute();
  await insertBinaryRows(tx, rows);
}

/** The binaries of updates as rows (software_update_binary: what SQL joins on). */
async function insertBinaryRows(
  tx: Tx,
  rows: readonly { id: string; binaries: string }[],
): Promise<void> {
  const binaries = new Map<string, Insertable<BinaryTable>>();
  for (const r of rows)
    for (const b of updateBinaries(r))
      binaries.set(`${r.id}\t${b.package}\t${b.architecture}`, {
        update_id: r.id,
        package: b.package,
        arch: b.architecture,
        version: b.version,
        version_key: debianVersionKey(b.version),
      });
  const all = [...binaries.values()];
  for (let i = 0; i < all.length; i += 500)
    await tx
      .insertInto('software_update_binary')
      .values(all.slice(i, i + 500))
      .execute();
}

export async function supersede(
  tx: Tx,
  ids: readonly string[],
  by: string,
  at: string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await tx
      .updateTable('software_update')
      .set({ superseded_at: at, superseded_by: by })
      .where('id', 'in', ids.slice(i, i + 500))
      .where('superseded_at', 'is', null)
      .execute();
}

export interface UpdateFilter {
  /** One update by its id (whatever its state). */
  id?: string;
  search?: string;
  sourceId?: string;
  classification?: UpdateClassification;
  state?: 'current' | 'superseded' | 'expired';
  severity?: UpdateSeverity;
  cve?: string;
  advisory?: string;
  /** `expired`: superseded at or before this instant (ADR 0049); null: nothing expires. */
  expiredBefore?: string | null;
  /** Automatic deployment rules (ADR 0072): any of these sources / classifications. */
  sourceIds?: readonly string[];
  classifications?: readonly UpdateClassification[];
  /** At least this severe: linked to an advisory of this severity or a worse one. */
  minSeverity?: UpdateSeverity;
  /** First seen (published) at or before this instant. */
  firstSeenBefore?: string;
}

/** Severities worse than this one (an update's severity is the worst of what it fixes). */
function worseThan(s: UpdateSeverity): UpdateSeverity[] {
  return UPDATE_SEVERITY_ORDER.slice(0, UPDATE_SEVERITY_ORDER.indexOf(s));
}

export async function listUpdates(
  db: Queryable,
  f: UpdateFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: UpdateRow[]; total: number }> {
  let q = db
    .selectFrom('software_update as u')
    .innerJoin('update_source as s', 's.id', 'u.source_id');
  if (f.id !== undefined) q = q.where('u.id', '=', f.id);
  if (f.sourceId) q = q.where('u.source_id', '=', f.sourceId);
  if (f.classification) q = q.where('u.classification', '=', f.classification);
  if (f.sourceIds?.length) q = q.where('u.source_id', 'in', [...f.sourceIds]);
  if (f.classifications?.length) q = q.where('u.classification', 'in', [...f.classifications]);
  if (f.firstSeenBefore) q = q.where('u.first_seen_at', '<=', f.firstSeenBefore);
  // `unknown` is the least severe: every update is at least that.
  if (f.minSeverity && f.minSeverity !== 'unknown') {
    const atLeast = [...worseThan(f.minSeverity), f.minSeverity];
    q = q.where('u.id', 'in', (eb) =>
      eb.selectFrom('update_advisory').select('update_id').where('severity', 'in', atLeast),
    );
  }
  if (f.state === 'current') q = q.where('u.superseded_at', 'is', null);
  if (f.state === 'superseded') q = q.where('u.superseded_at', 'is not', null);
  if (f.state === 'expired') {
    const cutoff = f.expiredBefore;
    q = cutoff ? q.where('u.superseded_at', '<=', cutoff) : q.where(sql<boolean>`1 = 0`);
  }
  // Advisory filters (ADR 0048): what update_advisory links the update to.
  if (f.cve) {
    const cve = f.cve.toUpperCase();
    q = q.where('u.id', 'in', (eb) =>
      eb
        .selectFrom('update_advisory')
        .select('update_id')
        .where(sql<boolean>`upper(cve_id) = ${cve}`),
    );
  }
  if (f.advisory) {
    const advisory = f.advisory.toUpperCase();
    q = q.where('u.id', 'in', (eb) =>
      eb
        .selectFrom('update_advisory')
        .select('update_id')
        .where(sql<boolean>`upper(origin) = ${advisory}`),
    );
  }
  if (f.severity) {
    const severity = f.severity;
    const worse = worseThan(severity);
    if (severity !== 'unknown')
      q = q.where('u.id', 'in', (eb) =>
        eb.selectFrom('update_advisory').select('update_id').where('severity', '=', severity),
      );
    if (worse.length > 0)
      q = q.where('u.id', 'not in', (eb) =>
        eb.selectFrom('update_advisory').select('update_id').where('severity', 'in', worse),
      );
  }
  if (f.search) {
    const pattern = containsPattern(f.search);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(u.package) like ${pattern} escape '\\'`,
        sql<boolean>`lower(u.binaries) like ${pattern} escape '\\'`,
      ]),
    );
  }
  const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q
    .selectAll('u')
    .select('s.name as source_name')
    .orderBy('u.first_seen_at', 'desc')
    .orderBy('u.package')
    .orderBy('u.version_key', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return {
    rows: rows.map((r) => ({
      ...checkRow('software_update', r.id, r),
      source_name: r.source_name,
    })),
    total: toNumber(total?.n),
  };
}
