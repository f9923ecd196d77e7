import { stat } from 'node:fs/promises';
import type { Agent } from 'node:https';
import type {
  AgentProgram,
  ContentLocation,
  ContentLocations,
  InsertionStrings,
  StatusMessageBody,
  StatusMessageName,
} from '@steward/protocol';
import type { HttpsClient } from '../../channel/https-client.js';
import type { ContentDeployment } from '../ports.js';
import type { Clock } from '../../clock.js';
import { statusMessage } from '../../outbox/status-message.js';
import type { CacheIndex } from './cache-index.js';
import { ContentUnavailableError, DEFAULT_RETRY_MS } from './content-error.js';
import { downloadFile } from './dp-download.js';
import { fetchContentLocations, usableLocations } from './locations.js';
import type { TokenBucket } from './token-bucket.js';

export interface ContentProgress {
  bytesDone: number;
  bytesTotal: number;
  dpName?: string;
}

/** One distinct file to fetch (a hash appearing twice in a manifest is fetched once). */
export interface MissingFile {
  sha256: string;
  size: number;
  /** First manifest path with this hash, for messages. */
  path: string;
}

export interface DownloadSessionOptions {
  index: CacheIndex;
  http: HttpsClient;
  agent: Agent;
  bucket: TokenBucket | undefined;
  clock: Clock;
  report: (m: StatusMessageBody) => Promise<void>;
  program: AgentProgram;
  deployment: ContentDeployment;
  signal: AbortSignal | undefined;
  onProgress: ((p: ContentProgress) => void) | undefined;
  /** Bytes of the whole package, and of those already verified in the cache. */
  bytesTotal: number;
  bytesCached: number;
  /** Moves a verified partial file to where it belongs (cache or run-from-DP staging). */
  place: (file: MissingFile, partialPath: string) => Promise<void>;
  /** True when another prepare has meanwhile put the file in the cache. */
  alreadyCached: (sha256: string) => boolean;
  /** Per-hash lock shared by concurrent prepares: one download of a partial at a time. */
  inflight: Map<string, Promise<unknown>>;
}

/**
 * Downloads the missing files of one package version, trying the usable DPs in the site's order
 * (ADR 0007): any failure moves on to the next DP, resuming the same partial file; a 401/403
 * refetches the locations once (the access token expired); a hash mismatch is reported (CONTENT_HASH_MISMATCH),
 * discarded, and tried once more from another DP.
 */
export class DownloadSession {
  private locs: ContentLocations | undefined;
  private refetched = false;
  private readonly failedDps = new Set<string>();
  private announcedDp: string | undefined;
  private completedBytes = 0;
  /** Files of this session not downloaded yet (for the bytes still to fetch in CONTENT_DOWNLOADING). */
  private readonly pending = new Set<MissingFile>();
  private lastEmitted = -Infinity;
  private currentDpName: string | undefined;
  private readonly progressStep: number;

  constructor(private readonly o: DownloadSessionOptions) {
    this.progressStep = Math.max(1024 * 1024, Math.floor(o.bytesTotal / 200));
  }

  /** Fetches `files` (distinct hashes not in the cache), then reports CONTENT_DOWNLOADED. */
  async run(files: readonly MissingFile[]): Promise<void> {
    this.locs = await this.fetchLocations();
    for (const file of files) this.pending.add(file);
    for (const file of files) {
      await this.withLock(file.sha256, async () => {
        if (this.o.alreadyCached(file.sha256)) return;
        await this.fetchFile(file);
      });
      this.pending.delete(file);
      this.completedBytes += file.size;
      this.emit(0, true);
    }
    const v = this.o.program;
    await this.o.report(
      statusMessage(
        'CONTENT_DOWNLOADED',
        [v.packageName, String(this.o.bytesTotal)],
        this.attrs(),
        this.o.clock.now(),
      ),
    );
  }

  private async withLock(sha256: string, fn: () => Promise<void>): Promise<void> {
    for (
      let other = this.o.inflight.get(sha256);
      other !== undefined;
      other = this.o.inflight.get(sha256)
    )
      await other.catch(() => undefined);
    const mine = fn();
    this.o.inflight.set(sha256, mine);
    try {
      await mine;
    } finally {
      if (this.o.inflight.get(sha256) === mine) this.o.inflight.delete(sha256);
    }
  }

  private async fetchFile(file: MissingFile): Promise<void> {
    let mismatches = 0;
    for (;;) {
      const loc = await this.nextLocation();
      await this.announce(loc);
      const result = await downloadFile({
        agent: this.o.agent,
        baseUrl: loc.url,
        accessToken: this.tokens().accessToken,
        sha256: file.sha256,
        size: file.size,
        partialPath: this.o.index.partialPath(file.sha256),
        bucket: this.o.bucket,
        signal: this.o.signal,
        onBytes: (n) => this.emit(n, false),
      });
      switch (result.kind) {
        case 'complete':
          await this.o.place(file, this.o.index.partialPath(file.sha256));
          // Tokens live minutes (issue 7): a long download may need a fresh one per file.
          this.refetched = false;
          return;
        case 'hash-mismatch':
          mismatches++;
          await this.dpFailed(loc, `file ${file.path} failed hash verification`, false);
          await this.o.report(
            this.message('CONTENT_HASH_MISMATCH', [this.o.program.packageName, file.path], loc),
          );
          if (mismatches >= 2 || this.peek() === undefined)
            throw new ContentUnavailableError(
              'HASH_MISMATCH',
              `file "${file.path}" of package "${this.o.program.packageName}" failed hash verification`,
            );
          break;
        case 'local-failure':
          throw new ContentUnavailableError('DOWNLOAD_FAILED', result.reason);
        case 'failed':
          if (result.authRejected && !this.refetched) {
            // The access token has probably expired: get a fresh one, same DP.
            this.refetched = true;
            this.locs = await this.fetchLocations();
            break;
          }
          await this.dpFailed(loc, result.reason, true);
          break;
      }
    }
  }

  private tokens(): ContentLocations {
    if (this.locs === undefined) throw new Error('content locations not fetched');
    return this.locs;
  }

  private async fetchLocations(): Promise<ContentLocations> {
    const { program, deployment } = this.o;
    const locs = await fetchContentLocations(this.o.http, program.packageVersionId);
    if (locs.slow && !deployment.runOverSlowBoundary) {
      const reason =
        'this client is on a slow or unreliable boundary and the deployment does not run over one';
      await this.o.report(this.message('CONTENT_NO_DP_AVAILABLE', [program.packageName, reason]));
      throw new ContentUnavailableError('SLOW_BOUNDARY', reason);
    }
    return locs;
  }

  private usable() {
    const versionId = this.o.program.packageVersionId;
    return usableLocations(
      this.tokens(),
      this.o.deployment,
      this.o.index.firstFailure(versionId),
      this.o.clock.now().getTime(),
    );
  }

  private peek(): ContentLocation | undefined {
    return this.usable().usable.find((l) => !this.failedDps.has(l.dpId));
  }

  private async nextLocation(): Promise<ContentLocation> {
    const loc = this.peek();
    if (loc !== undefined) return loc;
    const versionId = this.o.program.packageVersionId;
    this.o.index.markFailure(versionId, this.o.clock.now().getTime());
    await this.o.index.save();
    const { nextInMs } = this.usable();
    const retry = Math.max(1000, Math.min(nextInMs ?? DEFAULT_RETRY_MS, DEFAULT_RETRY_MS));
    if (this.failedDps.size > 0)
      throw new ContentUnavailableError(
        'DOWNLOAD_FAILED',
        `every usable distribution point failed for package "${this.o.program.packageName}"`,
        retry,
      );
    const reason = this.noLocationReason(nextInMs);
    await this.o.report(
      this.message('CONTENT_NO_DP_AVAILABLE', [this.o.program.packageName, reason]),
    );
    throw new ContentUnavailableError('NO_LOCATION', reason, retry);
  }

  private noLocationReason(nextInMs: number | undefined): string {
    const offered = this.tokens().locations.length;
    if (offered === 0) return 'no distribution point holding the content serves this client';
    if (nextInMs !== undefined)
      return `the ${offered} distribution point(s) offered are fallbacks usable in ${Math.ceil(nextInMs / 60_000)} minute(s)`;
    return `the ${offered} distribution point(s) offered are fallbacks and the deployment does not allow a fallback`;
  }

  private async dpFailed(loc: ContentLocation, reason: string, report: boolean): Promise<void> {
    this.failedDps.add(loc.dpId);
    this.o.index.markFailure(this.o.program.packageVersionId, this.o.clock.now().getTime());
    await this.o.index.save();
    if (report)
      await this.o.report(
        this.message(
          'CONTENT_DOWNLOAD_FAILED',
          [this.o.program.packageName, loc.name, reason],
          loc,
        ),
      );
  }

  private async announce(loc: ContentLocation): Promise<void> {
    this.currentDpName = loc.name;
    if (this.announcedDp === loc.dpId) return;
    this.announcedDp = loc.dpId;
    // What still has to cross the wire: a partial file left by an interrupted download (another
    // DP, or an agent killed mid-transfer) is resumed, not fetched again.
    let remaining = 0;
    for (const f of this.pending)
      remaining += f.size - (await heldBytes(this.o.index.partialPath(f.sha256), f.size));
    await this.o.report(
      this.message(
        'CONTENT_DOWNLOADING',
        [this.o.program.packageName, String(remaining), loc.name],
        loc,
      ),
    );
  }

  private emit(currentFileBytes: number, force: boolean): void {
    if (this.o.onProgress === undefined) return;
    const bytesDone = this.o.bytesCached + this.completedBytes + currentFileBytes;
    if (!force && bytesDone - this.lastEmitted < this.progressStep) return;
    this.lastEmitted = bytesDone;
    const p: ContentProgress = { bytesDone, bytesTotal: this.o.bytesTotal };
    if (this.currentDpName !== undefined) p.dpName = this.currentDpName;
    this.o.onProgress(p);
  }

  private attrs(loc?: ContentLocation): Record<string, string> {
    const a: Record<string, string> = {
      packageId: this.o.program.packageId,
      packageVersionId: this.o.program.packageVersionId,
      deploymentId: this.o.deployment.id,
    };
    if (loc !== undefined) a['dpId'] = loc.dpId;
    return a;
  }

  private message<K extends StatusMessageName>(
    message: K,
    strings: InsertionStrings<K>,
    loc?: ContentLocation,
  ): StatusMessageBody {
    return statusMessage(message, strings, this.attrs(loc), this.o.clock.now());
  }
}

/** Bytes of a partial file that a download will resume from (none when it cannot be a prefix). */
async function heldBytes(partialPath: string, size: number): Promise<number> {
  const bytes = await stat(partialPath).then(
    (st) => st.size,
    () => 0,
  );
  return bytes <= size ? bytes : 0;
}
