import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, ErrorCode, InputError } from '@steward/protocol';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../site/private-files.js';

const SHA256 = /^[0-9a-f]{64}$/;
/** Large reads: the file route is benchmarked against a bare static server (ADR 0007). */
export const READ_HIGH_WATER_MARK = 1024 * 1024;

/** Refuses anything that is not a lower-case hex SHA-256 before it reaches a file name. */
export function assertSha256(sha256: string): void {
  if (!SHA256.test(sha256))
    throw new InputError(ErrorCode.INVALID_INPUT, `"${sha256}" is not a lower-case hex SHA-256`);
}

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

function mismatch(expected: string, actual: string): InputError {
  return new InputError(
    ErrorCode.CONTENT_HASH_MISMATCH,
    `the bytes hash to ${actual}, not ${expected}`,
    { expected, actual },
  );
}

/** Flushes a written file to disk before it is renamed into the library (crash safety). */
async function fsync(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** SHA-256 and size of a file, streamed (files may be many GiB). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const stream = createReadStream(path, { highWaterMark: READ_HIGH_WATER_MARK });
  for await (const chunk of stream) {
    // A file stream without an encoding yields Buffers.
    if (!Buffer.isBuffer(chunk)) throw new TypeError(`reading ${path} gave text, not bytes`);
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Single-instance storage on disk: every file once under `<root>/sha256/<2 hex>/<sha256>`
 * whatever package uses it (ADR 0007). Used by the site server (with the `content_file` rows kept
 * by the service) and by standalone DP processes (no database at all), so it knows nothing of SQL.
 * Writes go to a temp file that is hashed while streaming, fsynced, and renamed into place, so a
 * stored file is always complete and always has the hash it is named by.
 */
export class ContentStore {
  constructor(readonly rootDir: string) {}

  pathOf(sha256: string): string {
    assertSha256(sha256);
    return join(this.rootDir, 'sha256', sha256.slice(0, 2), sha256);
  }

  /** Where a resumable pull keeps the bytes received so far (DP processes). */
  partialPathOf(sha256: string): string {
    assertSha256(sha256);
    return join(this.rootDir, 'partial', `${sha256}.partial`);
  }

  /** Creates the partial folder and returns where the partial file of `sha256` goes. */
  async preparePartial(sha256: string): Promise<string> {
    const path = this.partialPathOf(sha256);
    await mkdir(join(this.rootDir, 'partial'), { recursive: true, mode: PRIVATE_DIR_MODE });
    return path;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Stores a stream. With `expectedSha256` the bytes must hash to it (else CONTENT_HASH_MISMATCH
   * and nothing is kept). Storing a file that is already there is harmless: same name, same bytes.
   * With `maxBytes` a longer stream is cut off with BODY_TOO_LARGE (413) and nothing is kept: a
   * body sent without a declared length is bounded here.
   */
  async putStream(
    stream: Readable,
    expectedSha256?: string,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ sha256: string; size: number }> {
    if (expectedSha256 !== undefined) assertSha256(expectedSha256);
    const tmpDir = join(this.rootDir, 'tmp');
    await mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        stream,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes)
              throw new AppError(
                413,
                ErrorCode.BODY_TOO_LARGE,
                `the body may hold at most ${String(maxBytes)} bytes`,
              );
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tmp, {
          flags: 'wx',
          mode: PRIVATE_FILE_MODE,
          highWaterMark: READ_HIGH_WATER_MARK,
        }),
      );
      await fsync(tmp);
      const sha256 = hash.digest('hex');
      if (expectedSha256 !== undefined && sha256 !== expectedSha256)
        throw mismatch(expectedSha256, sha256);
      await this.moveIntoPlace(tmp, sha256);
      return { sha256, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** A resumable pull finished: keep the partial file only if it has the hash it was pulled for. */
  async commitPartial(sha256: string): Promise<void> {
    const partial = this.partialPathOf(sha256);
    const actual = await hashFile(partial);
    if (actual.sha256 !== sha256) {
      await rm(partial, { force: true });
      throw mismatch(sha256, actual.sha256);
    }
    await fsync(partial);
    await this.moveIntoPlace(partial, sha256);
  }

  /** Re-hashes a stored file ("validate content"); false when it is missing or damaged. */
  async verify(sha256: string): Promise<boolean> {
    try {
      return (await hashFile(this.pathOf(sha256))).sha256 === sha256;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** `range` is inclusive at both ends, as in HTTP. */
  createReadStream(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), {
      highWaterMark: READ_HIGH_WATER_MARK,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  private async moveIntoPlace(from: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(join(this.rootDir, 'sha256', sha256.slice(0, 2)), {
      recursive: true,
      mode: PRIVATE_DIR_MODE,
    });
    // rename replaces an existing file atomically; an existing one has the same bytes anyway.
    await rename(from, target);
  }
}
