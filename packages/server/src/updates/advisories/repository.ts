import { sql, type Insertable, type Selectable } from 'kysely';
import { Type } from '@sinclair/typebox';
import {
  releaseOfSuite,
  UPDATE_SEVERITY_ORDER,
  type ListAdvisoriesQuery,
  type UpdateSeverity,
} from '@steward/protocol';
import type { Database } from '../../db/tables/index.js';
import { toNumber, type Queryable, type Tx } from '../../db/database.js';
import { containsPattern } from '../../db/like.js';
import { checkRow, parseJsonColumn } from '../../db/corrupt-row.js';
import type { ParsedFeed } from './parsed.js';

export type FeedRow = Selectable<Database['advisory_feed']>;
export type ImportRow = Selectable<Database['advisory_import']>;
export type AdvisoryRow = Selectable<Database['advisory']>;
export type CveFixRow = Selectable<Database['cve_fix']>;

const STRINGS = Type.Array(Type.String());
const CHUNK = 400;

/** An advisory's CVE ids and links (JSON arrays); a corrupt row is an error. */
export function advisoryLists(r: AdvisoryRow): { cves: string[]; links: string[] } {
  const at = (column: string) => ({ table: 'advisory' as const, id: r.id, column });
  return {
    cves: parseJsonColumn(STRINGS, r.cves, at('cves')),
    links: parseJsonColumn(STRINGS, r.links, at('links')),
  };
}

// ---- feeds and imports ----

export async function insertFeed(db: Queryable, row: Insertable<Database['advisory_feed']>) {
  await db.insertInto('advisory_feed').values(row).execute();
}

export async function findFeed(db: Queryable, idOrName: string): Promise<FeedRow | undefined> {
  const row = await db
    .selectFrom('advisory_feed')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return row && checkRow('advisory_feed', row.id, row);
}

export async function listFeeds(db: Queryable): Promise<FeedRow[]> {
  const rows = await db.selectFrom('advisory_feed').selectAll().orderBy('name').execute();
  return rows.map((r) => checkRow('advisory_feed', r.id, r));
}

/**
 * Feeds whose interval has passed since their last import, or since they were added: adding a
 * feed reads nothing by itself (the console and CLI import it at once, on demand).
 */
export async function feedsDue(db: Queryable, now: Date): Promise<FeedRow[]> {
  return (await listFeeds(db)).filter(
    (f) =>
      Date.parse(f.last_import_at ?? f.created_at) + f.interval_hours * 3_600_000 <= now.getTime(),
  );
}

export async function deleteFeedRow(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('advisory_feed').where('id', '=', id).execute();
}

export async function recordFeedRead(
  db: Queryable,
  id: string,
  set: Partial<Pick<FeedRow, 'etag' | 'last_modified' | 'sha256'>> &
    Pick<FeedRow, 'last_import_id' | 'last_import_at'>,
): Promise<void> {
  await db.updateTable('advisory_feed').set(set).where('id', '=', id).execute();
}

export async function insertImport(db: Queryable, row: Insertable<Database['advisory_import']>) {
  await db.insertInto('advisory_import').values(row).execute();
}

export async function findImports(db: Queryable, ids: readonly string[]): Promise<ImportRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('advisory_import').selectAll().where('id', 'in', ids).execute();
  return rows.map((r) => checkRow('advisory_import', r.id, r));
}

export async function listImports(
  db: Queryable,
  page: { offset: number; limit: number },
): Promise<{ rows: ImportRow[]; total: number }> {
  const total = await db
    .selectFrom('advisory_import')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const rows = await db
    .selectFrom('advisory_import')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { rows: rows.map((r) => checkRow('advisory_import', r.id, r)), total: toNumber(total?.n) };
}

// ---- storing a parsed feed ----

/**
 * Writes a parsed feed (inside the import's transaction): an advisory read again replaces
 * what it said before; the tracker replaces what it said about the packages it lists.
 */
export async function storeFeed(
  tx: Tx,
  feed: ParsedFeed,
  at: string,
  versionKey: (v: string) => string,
): Promise<void> {
  const ids = feed.advisories.map((a) => a.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    await tx.deleteFrom('advisory').where('id', 'in', part).execute();
    await tx.deleteFrom('cve_fix').where('origin', 'in', part).execute();
  }
  for (let i = 0; i < feed.trackerPackages.length; i += CHUNK)
    await tx
      .deleteFrom('cve_fix')
      .where('origin', '=', 'tracker')
      .where('package', 'in', feed.trackerPackages.slice(i, i + CHUNK))
      .execute();
  const advisories = new Map(feed.advisories.map((a) => [a.id, a]));
  const rows = [...advisories.values()].map((a) => ({
    id: a.id,
    kind: a.kind,
    title: a.title,
    description: a.description,
    severity: a.severity,
    published_at: a.publishedAt,
    cves: JSON.stringify(a.cves),
    links: JSON.stringify(a.links),
    imported_at: at,
  }));
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto('advisory')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  // One row per (cve, release, package, origin): a feed naming it twice keeps the last word.
  const fixes = new Map(
    feed.fixes.map((f) => [
      `${f.cveId}\t${f.release}\t${f.package}\t${f.origin}`,
      {
        cve_id: f.cveId,
        release: f.release,
        package: f.package,
        origin: f.origin,
        status: f.status,
        fixed_version: f.fixedVersion,
        fixed_key: f.fixedVersion === null ? null : versionKey(f.fixedVersion),
        severity: f.severity,
      },
    ]),
  );
  const fixRows = [...fixes.values()];
  for (let i = 0; i < fixRows.length; i += CHUNK)
    await tx
      .insertInto('cve_fix')
      .values(fixRows.slice(i, i + CHUNK))
      .execute();
  const cves = feed.cves.filter((c) => c.description !== '');
  for (let i = 0; i < cves.length; i += CHUNK) {
    const part = cves.slice(i, i + CHUNK);
    await tx
      .deleteFrom('cve')
      .where(
        'id',
        'in',
        part.map((c) => c.id),
      )
      .execute();
    await tx
      .insertInto('cve')
      .values(part.map((c) => ({ id: c.id, description: c.description, updated_at: at })))
      .execute();
  }
}

// ---- enrichment: which update is the first to fix which CVE ----

/**
 * Recomputes `update_advisory` for every source whose suite names a known release (ADR 0048):
 * for each fixed CVE in a source package, the source's lowest version at or above the fixed
 * version is the update that fixes it. Updates that fix something become `security`.
 * Answers how many updates were newly classified as security.
 */
export async function enrichUpdates(tx: Tx): Promise<number> {
  const sources = await tx.selectFrom('update_source').select(['id', 'suite']).execute();
  await tx.deleteFrom('update_advisory').execute();
  const links: Insertable<Database['update_advisory']>[] = [];
  const toSecurity = new Set<string>();
  for (const source of sources) {
    const release = releaseOfSuite(source.suite);
    if (!release) continue;
    const fixes = await tx
      .selectFrom('cve_fix')
      .select(['cve_id', 'package', 'origin', 'fixed_version', 'fixed_key', 'severity'])
      .where('release', '=', release)
      .where('status', '=', 'fixed')
      .where('package', 'in', (eb) =>
        eb.selectFrom('software_update').select('package').where('source_id', '=', source.id),
      )
      .execute();
    if (fixes.length === 0) continue;
    const updates = await tx
      .selectFrom('software_update')
      .select(['id', 'package', 'version_key', 'classification'])
      .where('source_id', '=', source.id)
      .where('package', 'in', (eb) =>
        eb
          .selectFrom('cve_fix')
          .select('package')
          .where('release', '=', release)
          .where('status', '=', 'fixed'),
      )
      .execute();
    const byPackage = new Map<string, typeof updates>();
    for (const u of updates) byPackage.set(u.package, [...(byPackage.get(u.package) ?? []), u]);
    for (const list of byPackage.values())
      list.sort((a, b) =>
        a.version_key < b.version_key ? -1 : a.version_key > b.version_key ? 1 : 0,
      );
    for (const f of fixes) {
      // Fixed in `0`: the release was never affected, so no update of it fixes anything.
      if (f.fixed_key === null || f.fixed_version === '0') continue;
      const key = f.fixed_key;
      const first = byPackage.get(f.package)?.find((u) => u.version_key >= key);
      if (!first) continue;
      links.push({
        update_id: first.id,
        cve_id: f.cve_id,
        origin: f.origin,
        severity: checkRow('cve_fix', f.cve_id, { severity: f.severity }).severity,
      });
      if (first.classification !== 'security') toSecurity.add(first.id);
    }
  }
  for (let i = 0; i < links.length; i += CHUNK)
    await tx
      .insertInto('update_advisory')
      .values(links.slice(i, i + CHUNK))
      .execute();
  const ids = [...toSecurity];
  for (let i = 0; i < ids.length; i += CHUNK)
    await tx
      .updateTable('software_update')
      .set({ classification: 'security' })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
  return ids.length;
}

/** What advisories say about updates: CVE ids, advisory ids, worst severity, per update. */
export async function updateReferences(
  db: Queryable,
  updateIds: readonly string[],
): Promise<Map<string, { cves: string[]; advisories: string[]; severity: UpdateSeverity }>> {
  const out = new Map<string, { cves: string[]; advisories: string[]; severity: UpdateSeverity }>();
  for (let i = 0; i < updateIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('update_advisory')
      .selectAll()
      .where('update_id', 'in', updateIds.slice(i, i + CHUNK))
      .orderBy('cve_id')
      .execute();
    for (const r of rows) {
      const row = checkRow('update_advisory', r.update_id, r);
      const e = out.get(row.update_id) ?? { cves: [], advisories: [], severity: 'unknown' };
      if (!e.cves.includes(row.cve_id)) e.cves.push(row.cve_id);
      if (row.origin !== 'tracker' && !e.advisories.includes(row.origin))
        e.advisories.push(row.origin);
      if (UPDATE_SEVERITY_ORDER.indexOf(row.severity) < UPDATE_SEVERITY_ORDER.indexOf(e.severity))
        e.severity = row.severity;
      out.set(row.update_id, e);
    }
  }
  return out;
}

// ---- advisories ----

export async function listAdvisories(
  db: Queryable,
  q: ListAdvisoriesQuery,
  page: { offset: number; limit: number },
): Promise<{ rows: AdvisoryRow[]; total: number }> {
  let query = db.selectFrom('advisory as a');
  if (q.kind) query = query.where('a.kind', '=', q.kind);
  if (q.severity) query = query.where('a.severity', '=', q.severity);
  if (q.cve) {
    const cve = q.cve;
    query = query.where('a.id', 'in', (eb) =>
      eb.selectFrom('cve_fix').select('origin').where('cve_id', '=', cve),
    );
  }
  if (q.search) {
    const pattern = containsPattern(q.search);
    query = query.where((eb) =>
      eb.or([
        sql<boolean>`lower(a.id) like ${pattern} escape '\\'`,
        sql<boolean>`lower(a.title) like ${pattern} escape '\\'`,
        sql<boolean>`lower(a.cves) like ${pattern} escape '\\'`,
      ]),
    );
  }
  const total = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await query
    .selectAll('a')
    .orderBy('a.published_at', 'desc')
    .orderBy('a.id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { rows: rows.map((r) => checkRow('advisory', r.id, r)), total: toNumber(total?.n) };
}

export async function findAdvisory(db: Queryable, id: string): Promise<AdvisoryRow | undefined> {
  const row = await db
    .selectFrom('advisory')
    .selectAll()
    .where(sql<boolean>`upper(id) = ${id.toUpperCase()}`)
    .executeTakeFirst();
  return row && checkRow('advisory', row.id, row);
}

/** The fixes an advisory states (release, package, fixed version). */
export async function advisoryFixes(db: Queryable, id: string) {
  return db
    .selectFrom('cve_fix')
    .select(['release', 'package', 'fixed_version'])
    .distinct()
    .where('origin', '=', id)
    .where('status', '=', 'fixed')
    .orderBy('release')
    .orderBy('package')
    .execute();
}

// ---- the CVE view ----

export async function cveFixes(db: Queryable, cveId: string): Promise<CveFixRow[]> {
  const rows = await db
    .selectFrom('cve_fix')
    .selectAll()
    .where(sql<boolean>`upper(cve_id) = ${cveId.toUpperCase()}`)
    .orderBy('release')
    .orderBy('package')
    .execute();
  return rows.map((r) => checkRow('cve_fix', r.cve_id, r));
}

export async function cveDescription(db: Queryable, cveId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('cve')
    .select('description')
    .where('id', '=', cveId)
    .executeTakeFirst();
  return row?.description;
}

/** Binary package name -> source package, from the catalog's binaries of these sources. */
export async function binariesOfSources(
  db: Queryable,
  sources: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>(sources.map((s) => [s, s]));
  if (sources.length === 0) return out;
  const rows = await db
    .selectFrom('software_update_binary as b')
    .innerJoin('software_update as u', 'u.id', 'b.update_id')
    .select(['b.package as binary', 'u.package as source'])
    .distinct()
    .where('u.package', 'in', sources)
    .execute();
  for (const r of rows) out.set(r.binary, r.source);
  return out;
}

/** Installed items with these names, per distinct package set (not per device). */
export async function installedInSets(db: Queryable, names: readonly string[]) {
  if (names.length === 0) return [];
  return db
    .selectFrom('package_set_item')
    .select(['set_id', 'name', 'version', 'version_key'])
    .where('name', 'in', names)
    .where('set_id', 'in', (eb) =>
      eb
        .selectFrom('device')
        .select('package_set_id')
        .where('revoked_at', 'is', null)
        .where('package_set_id', 'is not', null),
    )
    .execute();
}

/** Devices on these package sets, with what names their release. */
export async function devicesOnSets(db: Queryable, setIds: readonly string[]) {
  const out = [];
  for (let i = 0; i < setIds.length; i += CHUNK)
    out.push(
      ...(await db
        .selectFrom('device')
        .select(['id', 'name', 'package_set_id', 'os_name', 'os_version'])
        .where('revoked_at', 'is', null)
        .where('package_set_id', 'in', setIds.slice(i, i + CHUNK))
        .orderBy('name')
        .execute()),
    );
  return out;
}

/** The catalog's updates that fix a CVE. */
export async function updatesFixing(db: Queryable, cveId: string) {
  const rows = await db
    .selectFrom('update_advisory as l')
    .innerJoin('software_update as u', 'u.id', 'l.update_id')
    .innerJoin('update_source as s', 's.id', 'u.source_id')
    .select(['u.id', 'u.package', 'u.version', 'u.version_key', 's.name as sourceName'])
    .distinct()
    .where('l.cve_id', '=', cveId)
    .orderBy('u.package')
    .orderBy('u.version_key')
    .execute();
  return rows.map(({ version_key: _key, ...u }) => u);
}
