import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentProgram, ManifestEntry, StatusMessageBody } from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';
import type { HttpsClient } from '../../channel/https-client.js';
import type { ContentDeployment } from '../ports.js';
import type { Clock } from '../../clock.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Mutex } from '../../mutex.js';
import { CacheIndex } from './cache-index.js';
import { ContentUnavailableError } from './content-error.js';
import { DownloadSession, type ContentProgress, type MissingFile } from './download-session.js';
import { syncLayout } from './package-layout.js';
import { TokenBucket } from './token-bucket.js';

export { ContentUnavailableError, type ContentUnavailableCode } from './content-error.js';
export type { ContentProgress } from './download-session.js';

export const DEFAULT_MAX_CACHE_BYTES = 5 * 1024 * 1024 * 1024;
/** A package bigger than the whole cache will not fit until an administrator changes something. */
const TOO_BIG_RETRY_MS = 6 * 60 * 60_000;

/** Content laid out for a run. `release()` once the run is over (unpins, removes the layout). */
export interface PreparedContent {
  dir: string;
  release(): Promise<void>;
}

export interface ContentManagerOptions {
  stateDir: string;
  http: HttpsClient;
  /** The site CA: DP certificates are issued by it. */
  caPem: string;
  maxCacheBytes?: number;
  rateLimitBytesPerSec?: number;
  clock: Clock;
  log: Logger;
  report: (m: StatusMessageBody) => Promise<void>;
  /** STEWARD_AGENT_CACHE_MB (tests) overrides maxCacheBytes; STEWARD_AGENT_MAX_BYTES_PER_SECOND
   * sets the download rate when rateLimitBytesPerSec is not given. */
  env?: NodeJS.ProcessEnv;
}

export interface PrepareRequest {
  program: AgentProgram;
  deployment: ContentDeployment;
  signal?: AbortSignal;
  onProgress?: (p: ContentProgress) => void;
}

/**
 * Makes a package version's content available for a run (ADR 0007): files already verified in
 * the cache are reused, missing ones are downloaded from the DPs the site names, every file is
 * verified against its SHA-256 before use, and the package is laid out by hard links under
 * `<state>/packages/<versionId>/` (or, for "run from the DP", a throw-away run directory).
 * Rejects with ContentUnavailableError when the content cannot be had now, or with the signal's
 * AbortError when aborted; partial downloads are kept either way.
 */
export class ContentManager {
  private indexRef: Promise<CacheIndex> | undefined;
  private readonly agent: Agent;
  private bucket: TokenBucket | undefined;
  maxCacheBytes: number;
  /** Limits set by the environment win over the site's client settings (tests, metered links). */
  private readonly envRate: boolean;
  private readonly envCache: boolean;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly layoutHolders = new Map<string, number>();
  private readonly layoutMutex = new Mutex();

  constructor(private readonly opts: ContentManagerOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ...pinnedTlsOptions(opts.caPem) });
    const env = opts.env ?? process.env;
    // The download throttle (issue 3: "throttle to a configured rate"); the environment variable
    // sets it where the option is not given (a metered link, tests of resumed downloads).
    const envRate = Number(env['STEWARD_AGENT_MAX_BYTES_PER_SECOND'] ?? '');
    const rate =
      opts.rateLimitBytesPerSec ?? (Number.isFinite(envRate) && envRate > 0 ? envRate : undefined);
    this.bucket = rate !== undefined && rate > 0 ? new TokenBucket(rate) : undefined;
    this.envRate = opts.rateLimitBytesPerSec === undefined && this.bucket !== undefined;
    const envMb = Number(env['STEWARD_AGENT_CACHE_MB'] ?? '');
    this.envCache = Number.isFinite(envMb) && envMb > 0;
    this.maxCacheBytes = this.envCache
      ? Math.floor(envMb * 1024 * 1024)
      : (opts.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES);
  }

  /**
   * Applies the client settings of the site's policy (download throttle, cache bound). Takes
   * effect for the next file downloaded; the environment's limits, when set, stay in force.
   */
  applyLimits(limits: { rateLimitBytesPerSec?: number; maxCacheBytes?: number }): void {
    if (!this.envRate && limits.rateLimitBytesPerSec !== undefined)
      this.bucket =
        limits.rateLimitBytesPerSec > 0 ? new TokenBucket(limits.rateLimitBytesPerSec) : undefined;
    if (!this.envCache && limits.maxCacheBytes !== undefined)
      this.maxCacheBytes = limits.maxCacheBytes;
  }

  async prepare(req: PrepareRequest): Promise<PreparedContent> {
    const index = await this.index();
    const { program, deployment } = req;
    const unique = distinctFiles(program.files);
    const bytesTotal = unique.reduce((sum, f) => sum + f.size, 0);
    const fromDp = deployment.contentMode === 'from-dp';
    const unpin = index.pin(unique.map((f) => f.sha256));
    const staging = fromDp ? join(this.transientRoot(), randomName(program)) : undefined;
    try {
      if (!fromDp && bytesTotal > this.maxCacheBytes)
        throw new ContentUnavailableError(
          'DOWNLOAD_FAILED',
          `package "${program.packageName}" needs ${bytesTotal} bytes but the content cache ` +
            `holds at most ${this.maxCacheBytes} bytes`,
          TOO_BIG_RETRY_MS,
        );
      const missing: MissingFile[] = [];
      for (const f of unique) if (!(await index.verify(f.sha256))) missing.push(f);
      if (missing.length > 0) await this.download(index, req, missing, { bytesTotal, staging });
      const dir = await this.layOut(index, program, staging);
      index.touch(
        unique.map((f) => f.sha256),
        this.opts.clock.now().getTime(),
      );
      index.clearFailure(program.packageVersionId);
      await index.save();
      return { dir, release: once(() => this.release(program, unpin, staging)) };
    } catch (err) {
      unpin();
      if (staging !== undefined) await removeStaging(staging);
      // Files verified before the failure stay usable: record them (saves may have been skipped).
      await index.save().catch(() => undefined);
      throw err;
    }
  }

  /** Closes kept-alive connections to DPs. */
  close(): void {
    this.agent.destroy();
  }

  private index(): Promise<CacheIndex> {
    this.indexRef ??= CacheIndex.open(this.opts.stateDir, this.opts.log).catch((err: unknown) => {
      this.indexRef = undefined;
      throw err;
    });
    return this.indexRef;
  }

  private transientRoot(): string {
    return join(this.opts.stateDir, 'transient');
  }

  private async download(
    index: CacheIndex,
    req: PrepareRequest,
    missing: MissingFile[],
    o: { bytesTotal: number; staging: string | undefined },
  ): Promise<void> {
    const missingBytes = missing.reduce((sum, f) => sum + f.size, 0);
    if (o.staging === undefined) {
      const room = await index.makeRoom(missingBytes, this.maxCacheBytes);
      if (!room.ok) throw new ContentUnavailableError('DOWNLOAD_FAILED', room.reason);
    } else {
      await mkdir(o.staging, { recursive: true, mode: 0o700 });
    }
    const staging = o.staging;
    const session = new DownloadSession({
      index,
      http: this.opts.http,
      agent: this.agent,
      bucket: this.bucket,
      clock: this.opts.clock,
      report: (m) => this.report(m),
      program: req.program,
      deployment: req.deployment,
      signal: req.signal,
      onProgress: req.onProgress,
      bytesTotal: o.bytesTotal,
      bytesCached: o.bytesTotal - missingBytes,
      inflight: this.inflight,
      alreadyCached: (sha) => index.has(sha),
      place: async (file, partial) => {
        if (staging !== undefined) {
          await rename(partial, join(staging, file.sha256));
          return;
        }
        await rename(partial, index.filePath(file.sha256));
        await index.add(file.sha256, this.opts.clock.now().getTime());
        await index.saveSoon();
      },
    });
    await session.run(missing);
  }

  /**
   * Lays the package out from verified files only: each hash must come from this run's verified
   * staging or pass the cache index check again (same size and mtime as when it was verified).
   */
  private async layOut(
    index: CacheIndex,
    program: AgentProgram,
    staging: string | undefined,
  ): Promise<string> {
    const staged = new Set<string>();
    for (const f of distinctFiles(program.files)) {
      if (staging !== undefined && !index.has(f.sha256)) staged.add(f.sha256);
      else if (!(await index.verify(f.sha256)))
        throw new ContentUnavailableError(
          'DOWNLOAD_FAILED',
          `cached file ${f.path} of package "${program.packageName}" changed before use`,
          1000,
        );
    }
    const sourceOf = (sha: string): string =>
      staging !== undefined && staged.has(sha) ? join(staging, sha) : index.filePath(sha);
    if (staging !== undefined) {
      const dir = join(staging, 'package');
      await syncLayout(dir, program.files, sourceOf);
      return dir;
    }
    const dir = join(this.opts.stateDir, 'packages', dirName(program.packageVersionId));
    await this.layoutMutex.run(async () => {
      this.layoutHolders.set(dir, (this.layoutHolders.get(dir) ?? 0) + 1);
      try {
        await syncLayout(dir, program.files, sourceOf);
      } catch (err) {
        this.dropHolder(dir);
        throw err;
      }
    });
    return dir;
  }

  private async release(
    program: AgentProgram,
    unpin: () => void,
    staging: string | undefined,
  ): Promise<void> {
    unpin();
    if (staging !== undefined) {
      await removeStaging(staging);
      return;
    }
    const dir = join(this.opts.stateDir, 'packages', dirName(program.packageVersionId));
    await this.layoutMutex.run(async () => {
      // The layout only holds links: the cache keeps the bytes, so the directory can go.
      if (this.dropHolder(dir) === 0) await rm(dir, { recursive: true, force: true });
    });
  }

  private dropHolder(dir: string): number {
    const n = (this.layoutHolders.get(dir) ?? 1) - 1;
    if (n <= 0) this.layoutHolders.delete(dir);
    else this.layoutHolders.set(dir, n);
    return Math.max(0, n);
  }

  private async report(m: StatusMessageBody): Promise<void> {
    try {
      await this.opts.report(m);
    } catch (err) {
      this.opts.log.warn(`could not queue status message ${m.messageId}: ${errorMessage(err)}`);
    }
  }
}

function distinctFiles(files: readonly ManifestEntry[]): MissingFile[] {
  const seen = new Map<string, MissingFile>();
  for (const f of files)
    if (!seen.has(f.sha256)) seen.set(f.sha256, { sha256: f.sha256, size: f.size, path: f.path });
  return [...seen.values()];
}

/** Version ids are site-made; anything unusual as a directory name is hashed instead. */
function dirName(id: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(id)) return id;
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

function randomName(program: AgentProgram): string {
  return `${dirName(program.packageVersionId)}-${randomBytes(6).toString('hex')}`;
}

async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
