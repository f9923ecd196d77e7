import { createWriteStream } from 'node:fs';
import { rm, stat, truncate } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { agentOps } from '@steward/protocol';
import type { ContentStore } from '../../content/content-store.js';
import { SiteError, type SiteClient } from './site-client.js';
import { PRIVATE_FILE_MODE } from '../../site/private-files.js';

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Counts bytes as they pass and, with a rate, holds them back to stay under it: a DP pulling
 * over a branch link should not fill it (STEWARD_DP_MAX_BYTES_PER_SECOND).
 */
class Meter extends Transform {
  private readonly started = Date.now();
  private passed = 0;

  constructor(
    private readonly onBytes: (n: number) => void,
    private readonly bytesPerSecond: number | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.passed += chunk.length;
    this.onBytes(chunk.length);
    const rate = this.bytesPerSecond;
    const ahead = rate ? (this.passed / rate) * 1000 - (Date.now() - this.started) : 0;
    if (ahead <= 0) {
      done(null, chunk);
      return;
    }
    sleep(ahead).then(
      () => done(null, chunk),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

export interface PullOptions {
  client: SiteClient;
  store: ContentStore;
  log: Logger;
  signal: AbortSignal;
  /** Called with the bytes of the file already held (resume point) and then with each chunk. */
  onBytes: (n: number) => void;
  bytesPerSecond?: number | undefined;
}

/**
 * Pulls one file into the store, resumably: the bytes received so far stay in the partial file,
 * a restarted pull asks for the rest with Range, and the file enters the store only if the whole
 * has the hash it is named by (ContentStore.commitPartial), otherwise it starts over.
 */
export async function pullFile(sha256: string, size: number, opts: PullOptions): Promise<void> {
  const { store, log } = opts;
  const partial = await store.preparePartial(sha256);
  let from = await sizeOf(partial);
  if (from > size) {
    await rm(partial, { force: true });
    from = 0;
  }
  if (from < size || size === 0) {
    if (from > 0) log.info({ sha256, from, size }, 'resuming a partial file');
    let res;
    try {
      res = await opts.client.download(
        agentOps.distributionPoint.file,
        { params: { sha256 } },
        from > 0 ? { range: `bytes=${from}-` } : {},
        opts.signal,
      );
    } catch (err) {
      // The partial is longer than the file the site holds: it cannot be the same file.
      if (err instanceof SiteError && err.status === 416) await rm(partial, { force: true });
      throw err;
    }
    // 200 to a Range request: the site sends the whole file, so the partial starts again.
    const append = res.statusCode === 206 && from > 0;
    if (!append && from > 0) {
      await truncate(partial, 0);
      from = 0;
    }
    opts.onBytes(from);
    await pipeline(
      res,
      new Meter(opts.onBytes, opts.bytesPerSecond),
      createWriteStream(partial, { flags: append ? 'a' : 'w', mode: PRIVATE_FILE_MODE }),
      { signal: opts.signal },
    );
  } else {
    opts.onBytes(from);
  }
  await store.commitPartial(sha256);
  log.info({ sha256, size, resumedFrom: from }, 'file pulled and verified');
}
