import { catalogChanged } from './compliance/applicability-repository.js';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareDebianVersions,
  dearmorKeyring,
  debianVersionKey,
  type UpdateBinary,
  type UpdateClassification,
  type UpdateSyncFailure,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { inTransaction } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { Deb822Error } from './apt/deb822.js';
import { binaryFromParagraph, IndexEntryError } from './apt/packages-index.js';
import { ReleaseError } from './apt/release.js';
import {
  fetchRelease,
  findIndex,
  pruneIndexCache,
  readIndex,
  RepositoryError,
  type SuiteLocation,
  type VerifiedRelease,
} from './apt/repository-client.js';
import { SignatureError } from './apt/signature.js';
import { enrichUpdates } from './advisories/repository.js';
import {
  finishSync,
  insertUpdates,
  knownVersions,
  reviseUpdate,
  recordSyncProgress,
  sourceLists,
  supersede,
  updateBinaries,
  updateSourceRow,
  type SourceRow,
} from './repository.js';

/** Packages read between two progress writes. */
const PROGRESS_EVERY = 2000;

class SyncFailure extends Error {
  constructor(
    readonly reason: UpdateSyncFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The suite's kind, from its name (advisories refine it per update later). */
export function classificationOf(suite: string): UpdateClassification {
  if (/security/i.test(suite)) return 'security';
  if (/(^|-)(updates|proposed-updates|backports)$/i.test(suite)) return 'updates';
  return 'other';
}

function failureOf(err: unknown): SyncFailure {
  if (err instanceof SyncFailure) return err;
  if (err instanceof SignatureError) return new SyncFailure(err.reason, err.message);
  if (err instanceof RepositoryError) return new SyncFailure(err.reason, err.message);
  if (err instanceof ReleaseError || err instanceof Deb822Error || err instanceof IndexEntryError)
    return new SyncFailure('bad-index', err.message);
  throw err;
}

/** Source package -> version -> its binaries, from every index the sync read. */
type Published = Map<string, Map<string, UpdateBinary[]>>;

/** Per source package and version: the "package architecture file-hash" lines of its files. */
type IndexFiles = Map<string, string[]>;
const fileKey = (pkg: string, version: string) => `${pkg}\u0000${version}`;

/** What the indexes said of one update's files, as one digest (order-free). */
function indexDigest(lines: readonly string[] | undefined): string | null {
  if (lines === undefined || lines.length === 0) return null;
  return createHash('sha256')
    .update([...lines].sort().join('\n'))
    .digest('hex');
}

async function readIndexes(
  ctx: SiteContext,
  syncId: string,
  loc: SuiteLocation,
  source: SourceRow,
  verified: VerifiedRelease,
  cacheDir: string,
): Promise<{ published: Published; files: IndexFiles; packagesRead: number }> {
  const { components, architectures } = sourceLists(source);
  const indexes = components.flatMap((component) =>
    architectures.map((arch) => `${component}/binary-${arch}/Packages`),
  );
  const files = indexes.flatMap((base) => {
    const f = findIndex(verified, base);
    return f ? [f] : [];
  });
  if (files.length === 0)
    throw new SyncFailure(
      'not-found',
      `the Release lists none of ${indexes.join(', ')}: check the components and architectures`,
    );
  const published: Published = new Map();
  const indexFiles: IndexFiles = new Map();
  let packagesRead = 0;
  const progress = (done: number) =>
    recordSyncProgress(ctx.db.kysely, syncId, {
      indexesTotal: files.length,
      indexesDone: done,
      packagesRead,
      at: nowIso(ctx),
    });
  await progress(0);
  for (const [i, file] of files.entries()) {
    for await (const paragraph of readIndex(loc, verified, file, cacheDir)) {
      const b = binaryFromParagraph(paragraph);
      const versions = published.get(b.source) ?? new Map<string, UpdateBinary[]>();
      const binaries = versions.get(b.sourceVersion) ?? [];
      binaries.push({ package: b.package, version: b.version, architecture: b.architecture });
      versions.set(b.sourceVersion, binaries);
      published.set(b.source, versions);
      const key = fileKey(b.source, b.sourceVersion);
      const lines = indexFiles.get(key) ?? [];
      lines.push(`${b.package} ${b.architecture} ${b.sha256 ?? b.filename ?? b.version}`);
      indexFiles.set(key, lines);
      if (++packagesRead % PROGRESS_EVERY === 0) await progress(i);
    }
    await progress(i + 1);
  }
  return { published, files: indexFiles, packagesRead };
}

/** Whether two binary lists name the same binaries at the same versions (order-free). */
function sameBinaries(a: readonly UpdateBinary[], b: readonly UpdateBinary[]): boolean {
  const key = (l: readonly UpdateBinary[]) =>
    l
      .map((x) => `${x.package} ${x.architecture} ${x.version}`)
      .sort()
      .join('\n');
  return key(a) === key(b);
}

/**
 * Writes what a sync read, in one transaction: new versions become updates; in each source
 * package only the highest version stays current, the others are superseded by it.
 */
async function storeCatalog(
  ctx: SiteContext,
  source: SourceRow,
  syncId: string,
  verified: VerifiedRelease,
  read: { published: Published; files: IndexFiles; packagesRead: number },
): Promise<{ added: number; superseded: number } | undefined> {
  const at = nowIso(ctx);
  // The archive's own date for what this sync publishes or revises (Release "Date").
  const archiveDate = verified.release.date?.toISOString() ?? at;
  const classification = classificationOf(source.suite);
  return inTransaction(ctx.db.kysely, async (tx) => {
    const known = await knownVersions(tx, source.id);
    const inserts = [];
    const revised: { id: string; digest: string; revise: boolean; binaries?: string }[] = [];
    const toSupersede = new Map<string, string[]>();
    for (const [pkg, versions] of read.published) {
      const existing = known.get(pkg) ?? [];
      const all = [...existing];
      for (const [version, binaries] of versions) {
        const digest = indexDigest(read.files.get(fileKey(pkg, version)));
        const seen = existing.find((e) => e.version === version);
        if (seen) {
          // The same version with other files: a revision (an update synced before the digest
          // existed just gets one).
          if (digest !== null && seen.digest !== digest)
            revised.push({
              id: seen.id,
              digest,
              revise: seen.digest !== null,
              // A binary added to or dropped from the version: its list and rows follow.
              ...(sameBinaries(updateBinaries(seen), binaries)
                ? {}
                : { binaries: JSON.stringify(binaries) }),
            });
          continue;
        }
        const row = {
          id: randomUUID(),
          source_id: source.id,
          package: pkg,
          version,
          version_key: debianVersionKey(version),
          classification,
          binaries: JSON.stringify(binaries),
          first_seen_at: at,
          published_at: archiveDate,
          index_digest: digest,
          superseded_at: null,
          superseded_by: null,
        };
        inserts.push(row);
        all.push({
          id: row.id,
          version,
          versionKey: row.version_key,
          superseded: false,
          digest,
          binaries: row.binaries,
        });
      }
      const newest = all.reduce((a, b) =>
        compareDebianVersions(b.version, a.version) > 0 ? b : a,
      );
      const older = all.filter((e) => e !== newest && !e.superseded).map((e) => e.id);
      if (older.length > 0) toSupersede.set(newest.id, older);
    }
    await insertUpdates(tx, inserts);
    for (const r of revised) await reviseUpdate(tx, { ...r, at: archiveDate });
    const rebinned = revised.flatMap((r) => (r.binaries === undefined ? [] : [r.id]));
    let superseded = 0;
    for (const [by, ids] of toSupersede) {
      await supersede(tx, ids, by, at);
      superseded += ids.length;
    }
    // Advisories already imported enrich the updates this sync added (ADR 0048).
    await enrichUpdates(tx);
    await updateSourceRow(tx, source.id, {
      release_sha256: verified.textSha256,
      signed_by: verified.fingerprint,
    });
    // The agents' catalog version and applicability move with the catalog (ADRs 0046-0047).
    await catalogChanged(tx, ctx.db.dialect, at, rebinned);
    const ended = await finishSync(tx, syncId, {
      state: 'succeeded',
      at,
      added: inserts.length,
      superseded,
      failure: null,
      error: null,
    });
    // Another process called this sync stale and failed it: keep nothing of it.
    if (!ended) throw new SyncFailure('interrupted', 'the sync was ended by another process');
    await raiseSiteStatus(
      ctx,
      {
        message: 'UPDATE_SYNC_COMPLETED',
        insertionStrings: [
          source.name,
          source.suite,
          String(read.packagesRead),
          String(inserts.length),
          String(superseded),
          verified.fingerprint,
        ],
        attributes: { updateSource: source.id },
      },
      tx,
    );
    return { added: inserts.length, superseded };
  });
}

/** Runs `fn` with the armoured keyring written as a binary keyring file (apt's Signed-By form). */
export async function withKeyring<T>(
  armored: string,
  fn: (file: string) => Promise<T>,
): Promise<T> {
  const keyring = dearmorKeyring(armored);
  if ('error' in keyring) throw new SignatureError('keyring-unreadable', keyring.error);
  const dir = await mkdtemp(join(tmpdir(), 'steward-keyring-'));
  try {
    const file = join(dir, 'keyring.gpg');
    await writeFile(file, keyring.bytes);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fail(ctx: SiteContext, source: SourceRow, syncId: string, f: SyncFailure) {
  // The failed state and its status message in one transaction: a reader that sees the one sees
  // the other.
  const ended = await inTransaction(ctx.db.kysely, async (tx) => {
    const done = await finishSync(tx, syncId, {
      state: 'failed',
      at: nowIso(ctx),
      added: 0,
      superseded: 0,
      failure: f.reason,
      error: f.message.slice(0, 2000),
    });
    if (done)
      await raiseSiteStatus(
        ctx,
        {
          message: 'UPDATE_SYNC_FAILED',
          insertionStrings: [source.name, source.suite, f.reason, f.message.slice(0, 1000)],
          attributes: { updateSource: source.id },
        },
        tx,
      );
    return done;
  });
  if (ended) await ctx.bus.publish('status-ingested', { count: 1 });
}

/**
 * Runs one sync of a source to its end; failures end the sync as failed, with the reason.
 * `listsDir` keeps each source's last indexes (apt's lists directory): a changed suite downloads
 * only the indexes whose SHA-256 in the new Release differs.
 */
export async function runSync(
  ctx: SiteContext,
  source: SourceRow,
  syncId: string,
  listsDir: string,
): Promise<void> {
  try {
    await withKeyring(source.keyring, async (keyringFile) => {
      const loc: SuiteLocation = { url: source.url, suite: source.suite, keyringFile };
      const verified = await fetchRelease(loc, ctx.clock.now());
      if (verified.textSha256 === source.release_sha256) {
        const ended = await inTransaction(ctx.db.kysely, async (tx) => {
          const done = await finishSync(tx, syncId, {
            state: 'unchanged',
            at: nowIso(ctx),
            added: 0,
            superseded: 0,
            failure: null,
            error: null,
          });
          if (done)
            await raiseSiteStatus(
              ctx,
              {
                message: 'UPDATE_SYNC_UNCHANGED',
                insertionStrings: [source.name, source.suite],
                attributes: { updateSource: source.id },
              },
              tx,
            );
          return done;
        });
        if (ended) await ctx.bus.publish('status-ingested', { count: 1 });
        return;
      }
      const cacheDir = join(listsDir, source.id);
      const read = await readIndexes(ctx, syncId, loc, source, verified, cacheDir);
      const stored = await storeCatalog(ctx, source, syncId, verified, read);
      await pruneIndexCache(cacheDir, verified);
      await ctx.bus.publish('status-ingested', { count: 1 });
      // The rules that run after a sync run now, not at a poll (ADR 0072).
      if (stored && stored.added > 0)
        await ctx.bus.publish('update-catalog-synced', {
          sourceId: source.id,
          added: stored.added,
        });
    });
  } catch (err) {
    try {
      await fail(ctx, source, syncId, failureOf(err));
    } catch (inner) {
      ctx.log.error({ err: inner, sync: syncId }, 'update sync failed unexpectedly');
      await fail(ctx, source, syncId, new SyncFailure('interrupted', String(inner))).catch(
        () => undefined,
      );
    }
  }
}
