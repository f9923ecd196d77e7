import type { ContentLibraryStats } from '@steward/protocol';
import { toNumber, type Queryable } from '../db/database.js';
import { chunked } from './repository.js';

/** SQL of the stored files (`content_file`): what the library holds, its stats, and GC. */

/**
 * Every table whose rows hold a stored file by its SHA-256 (each with a foreign key to
 * `content_file`): package versions' files and agent versions' packages. Garbage collection,
 * "new to the library" and the referenced-bytes figure all read this one list.
 */
/** Tables whose `sha256` holds a stored file (media: their ISO image, ADR 0089). */
const REFERENCING_TABLES = ['package_version_file', 'agent_version_file', 'media'] as const;

/** Sizes of the given hashes that the library holds (a content_file row exists). */
export async function storedSizes(
  db: Queryable,
  hashes: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunked([...new Set(hashes)])) {
    const rows = await db
      .selectFrom('content_file')
      .select(['sha256', 'size'])
      .where('sha256', 'in', part)
      .execute();
    for (const r of rows) out.set(r.sha256, Number(r.size));
  }
  return out;
}

/**
 * Records a stored file. `created_at` doubles as "last claimed": storing or asking about a file
 * again moves it, so garbage collection (which spares files younger than an hour) does not take a
 * file out from under an upload whose version is about to be created.
 */
export async function recordContentFile(
  db: Queryable,
  file: { sha256: string; size: number },
  at: string,
): Promise<void> {
  await db
    .insertInto('content_file')
    .values({ sha256: file.sha256, size: file.size, created_at: at })
    .onConflict((oc) => oc.column('sha256').doUpdateSet({ created_at: at }))
    .execute();
}

export async function touchContentFiles(
  db: Queryable,
  hashes: readonly string[],
  at: string,
): Promise<void> {
  for (const part of chunked(hashes)) {
    await db
      .updateTable('content_file')
      .set({ created_at: at })
      .where('sha256', 'in', part)
      .execute();
  }
}

/** How many of these hashes nothing references yet ("new to the library"). */
export async function countUnreferenced(db: Queryable, hashes: readonly string[]): Promise<number> {
  const unique = [...new Set(hashes)];
  const referenced = new Set<string>();
  for (const part of chunked(unique))
    for (const table of REFERENCING_TABLES) {
      const rows = await db
        .selectFrom(table)
        .select('sha256')
        .distinct()
        .where('sha256', 'in', part)
        .execute();
      for (const r of rows) if (r.sha256 !== null) referenced.add(r.sha256);
    }
  return unique.length - referenced.size;
}

/** How many files the library stores and their bytes (each file once). */
export async function libraryFileTotals(
  db: Queryable,
): Promise<{ fileCount: number; totalBytes: number }> {
  const files = await db
    .selectFrom('content_file')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('size').as('bytes')])
    .executeTakeFirst();
  return { fileCount: toNumber(files?.n), totalBytes: toNumber(files?.bytes) };
}

export async function libraryStats(db: Queryable): Promise<ContentLibraryStats> {
  const files = await libraryFileTotals(db);
  const packaged = await db
    .selectFrom('package_version_file')
    .select((eb) => eb.fn.sum('size').as('bytes'))
    .executeTakeFirst();
  // An agent version's manifest counts once: through its content package when it has one
  // (ADR 0042: the package version holds the same files), else through its own file list.
  const agentOnly = await db
    .selectFrom('agent_version_file as f')
    .innerJoin('agent_version as v', 'v.version', 'f.version')
    .select((eb) => eb.fn.sum('f.size').as('bytes'))
    .where('v.package_id', 'is', null)
    .executeTakeFirst();
  const referencedBytes = toNumber(packaged?.bytes) + toNumber(agentOnly?.bytes);
  const versions = await db
    .selectFrom('package_version')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return {
    ...files,
    referencedBytes,
    packageVersionCount: toNumber(versions?.n),
  };
}

/** Stored files no package version references, last claimed before `before`. */
export async function unreferencedContent(
  db: Queryable,
  before: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('content_file as cf')
    .select('cf.sha256')
    .where('cf.created_at', '<', before)
    .where((eb) =>
      eb.and(
        REFERENCING_TABLES.map((table) =>
          eb.not(
            eb.exists(eb.selectFrom(table).select('sha256').whereRef('sha256', '=', 'cf.sha256')),
          ),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.sha256);
}

/**
 * Deletes the row of a file only while nothing references it (checked in the same statement).
 * A version created concurrently holds the row through its foreign key, so the delete either
 * sees the reference or fails; the caller removes the file from disk only when this says true.
 */
export async function deleteContentFileIfUnreferenced(
  db: Queryable,
  sha256: string,
  before?: string,
): Promise<boolean> {
  let q = db
    .deleteFrom('content_file')
    .where('sha256', '=', sha256)
    .where((eb) =>
      eb.and(
        REFERENCING_TABLES.map((table) =>
          eb.not(eb.exists(eb.selectFrom(table).select('sha256').where('sha256', '=', sha256))),
        ),
      ),
    );
  if (before) q = q.where('created_at', '<', before);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function contentFileExists(db: Queryable, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('content_file')
    .select('sha256')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row !== undefined;
}
