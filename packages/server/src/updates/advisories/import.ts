import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  ADVISORY_FEED_MAX_BYTES,
  AppError,
  debianVersionKey,
  ErrorCode,
  InputError,
  UnavailableError,
  type AdvisoryFormat,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction } from '../../db/database.js';
import { raiseSiteStatus } from '../../status/site-status.js';
import { parseFeed } from './parse.js';
import { AdvisoryFormatError, type ParsedFeed } from './parsed.js';
import {
  enrichUpdates,
  insertImport,
  recordFeedRead,
  storeFeed,
  type FeedRow,
} from './repository.js';

const MAX_FEED_BYTES = ADVISORY_FEED_MAX_BYTES;
const FETCH_TIMEOUT_MS = 5 * 60_000;

export function parseOrRefuse(format: AdvisoryFormat, bytes: Buffer): ParsedFeed {
  try {
    return parseFeed(format, bytes);
  } catch (err) {
    if (err instanceof AdvisoryFormatError)
      throw new InputError(
        ErrorCode.ADVISORY_FORMAT_INVALID,
        `not a valid ${format} feed: ${err.message}`,
        {
          format,
        },
      );
    throw err;
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Stores a parsed feed, re-enriches the catalog, and records the import with its status
 * message, in one transaction: a reader never sees half an import.
 */
export async function storeImport(
  ctx: SiteContext,
  actor: Actor,
  o: {
    format: AdvisoryFormat;
    feed: FeedRow | undefined;
    parsed: ParsedFeed;
    digest: string;
    startedAt: string;
    headers?: { etag: string | null; lastModified: string | null };
  },
): Promise<string> {
  const id = randomUUID();
  const at = nowIso(ctx);
  const origin = o.feed ? o.feed.name : 'an upload';
  await inTransaction(ctx.db.kysely, async (tx) => {
    await storeFeed(tx, o.parsed, at, debianVersionKey);
    const enriched = await enrichUpdates(tx);
    const cves = new Set(o.parsed.fixes.map((f) => f.cveId)).size;
    await insertImport(tx, {
      id,
      format: o.format,
      feed_id: o.feed?.id ?? null,
      state: 'succeeded',
      requested_by: actor.userName,
      started_at: o.startedAt,
      finished_at: at,
      sha256: o.digest,
      advisories: o.parsed.advisories.length,
      cves,
      fixes: o.parsed.fixes.length,
      updates_enriched: enriched,
      error: null,
    });
    if (o.feed)
      await recordFeedRead(tx, o.feed.id, {
        etag: o.headers?.etag ?? null,
        last_modified: o.headers?.lastModified ?? null,
        sha256: o.digest,
        last_import_id: id,
        last_import_at: at,
      });
    await writeAudit(tx, actor, at, {
      action: 'advisories.import',
      targetType: o.feed ? 'advisory-feed' : 'advisories',
      targetId: o.feed?.id ?? id,
      details: { format: o.format, sha256: o.digest },
    });
    await raiseSiteStatus(
      ctx,
      {
        message: 'ADVISORY_IMPORT_COMPLETED',
        insertionStrings: [
          origin,
          o.format,
          String(o.parsed.advisories.length),
          String(cves),
          String(o.parsed.fixes.length),
          String(enriched),
        ],
        attributes: o.feed ? { advisoryFeed: o.feed.id } : {},
      },
      tx,
    );
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
  return id;
}

/** Records an import that read nothing new (the feed answered 304 or the same bytes). */
export async function storeUnchanged(
  ctx: SiteContext,
  actor: Actor,
  feed: FeedRow,
  startedAt: string,
): Promise<string> {
  const id = randomUUID();
  const at = nowIso(ctx);
  await inTransaction(ctx.db.kysely, async (tx) => {
    await insertImport(tx, {
      id,
      format: feed.format,
      feed_id: feed.id,
      state: 'unchanged',
      requested_by: actor.userName,
      started_at: startedAt,
      finished_at: at,
      sha256: feed.sha256,
      advisories: 0,
      cves: 0,
      fixes: 0,
      updates_enriched: 0,
      error: null,
    });
    await recordFeedRead(tx, feed.id, { last_import_id: id, last_import_at: at });
    await raiseSiteStatus(
      ctx,
      {
        message: 'ADVISORY_IMPORT_UNCHANGED',
        insertionStrings: [feed.name, feed.format],
        attributes: { advisoryFeed: feed.id },
      },
      tx,
    );
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
  return id;
}

/** A scheduled import that failed: recorded with its status message (an on-demand one answers the error). */
export async function storeFailed(
  ctx: SiteContext,
  actor: Actor,
  feed: FeedRow,
  startedAt: string,
  error: string,
): Promise<void> {
  const at = nowIso(ctx);
  const id = randomUUID();
  await inTransaction(ctx.db.kysely, async (tx) => {
    await insertImport(tx, {
      id,
      format: feed.format,
      feed_id: feed.id,
      state: 'failed',
      requested_by: actor.userName,
      started_at: startedAt,
      finished_at: at,
      sha256: null,
      advisories: 0,
      cves: 0,
      fixes: 0,
      updates_enriched: 0,
      error: error.slice(0, 2000),
    });
    await recordFeedRead(tx, feed.id, { last_import_id: id, last_import_at: at });
    await raiseSiteStatus(
      ctx,
      {
        message: 'ADVISORY_IMPORT_FAILED',
        insertionStrings: [feed.name, feed.format, error.slice(0, 1000)],
        attributes: { advisoryFeed: feed.id },
      },
      tx,
    );
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
}

/**
 * Reads a feed's URL with a conditional GET (If-None-Match / If-Modified-Since from the last
 * good read): `unchanged` when the server says 304 or the bytes hash as before.
 */
export async function fetchFeed(feed: FeedRow): Promise<
  | { unchanged: true }
  | {
      unchanged: false;
      bytes: Buffer;
      digest: string;
      etag: string | null;
      lastModified: string | null;
    }
> {
  const headers: Record<string, string> = {};
  if (feed.etag && feed.sha256) headers['if-none-match'] = feed.etag;
  if (feed.last_modified && feed.sha256) headers['if-modified-since'] = feed.last_modified;
  let res: Response;
  try {
    res = await fetch(feed.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    throw new UnavailableError(
      ErrorCode.ADVISORY_FEED_UNREACHABLE,
      `advisory feed ${feed.name}: ${feed.url} could not be read (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (res.status === 304) return { unchanged: true };
  if (!res.ok)
    throw new UnavailableError(
      ErrorCode.ADVISORY_FEED_UNREACHABLE,
      `advisory feed ${feed.name}: ${feed.url} answered HTTP ${res.status}`,
    );
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_FEED_BYTES)
    throw new UnavailableError(
      ErrorCode.ADVISORY_FEED_UNREACHABLE,
      `advisory feed ${feed.name} is larger than ${MAX_FEED_BYTES} bytes`,
    );
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = sha256(bytes);
  if (digest === feed.sha256) return { unchanged: true };
  return {
    unchanged: false,
    bytes,
    digest,
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}

/** A request body read whole, refused with BODY_TOO_LARGE past `max` bytes. */
export async function readBounded(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > max) {
      body.destroy();
      throw new AppError(413, ErrorCode.BODY_TOO_LARGE, `the body may hold at most ${max} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
