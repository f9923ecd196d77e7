import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Mutex } from '../../mutex.js';
import { parseJsonText, parseWith } from '../../parse.js';
import { isErrnoException, readFileIfExists, writeFileAtomic } from '../../state/atomic-file.js';
import { sha256File } from './file-hash.js';

const SHA256 = /^[0-9a-f]{64}$/;

const CacheEntry = Type.Object({
  size: Type.Number({ minimum: 0 }),
  /** mtime of the verified file: a write through a hard link changes it, which forces a re-hash. */
  mtimeMs: Type.Number(),
  lastUsedMs: Type.Number(),
});
type CacheEntry = Static<typeof CacheEntry>;

const CacheIndexFile = Type.Object({
  version: Type.Literal(1),
  files: Type.Record(Type.String({ pattern: SHA256.source }), CacheEntry),
  /** packageVersionId -> epoch ms of the first failure to get it from a local DP (ADR 0007 tiers). */
  firstFailures: Type.Record(Type.String(), Type.Number()),
});
type CacheIndexFile = Static<typeof CacheIndexFile>;

export function cachePaths(stateDir: string) {
  const root = join(stateDir, 'cache');
  return {
    root,
    files: join(root, 'files'),
    partial: join(root, 'partial'),
    index: join(root, 'index.json'),
  };
}

export type MakeRoomResult = { ok: true; evicted: string[] } | { ok: false; reason: string };

/**
 * The agent's content cache: verified files under `cache/files/<sha256>` and an index of them
 * (size, mtime at verification, last use) in `cache/index.json`. Only files that passed their
 * hash enter the index, so the index is what "verified" means; a file whose size or mtime
 * changed since is re-hashed before it is trusted again. Bounded by LRU eviction of files that
 * no prepared content currently pins.
 */
export class CacheIndex {
  private readonly pins = new Map<string, number>();
  private readonly saveMutex = new Mutex();
  private lastSaveMs = -Infinity;

  private constructor(
    readonly paths: ReturnType<typeof cachePaths>,
    private readonly data: CacheIndexFile,
    private readonly log: Logger,
  ) {}

  static async open(stateDir: string, log: Logger): Promise<CacheIndex> {
    const paths = cachePaths(stateDir);
    await mkdir(paths.files, { recursive: true, mode: 0o700 });
    await mkdir(paths.partial, { recursive: true, mode: 0o700 });
    const index = new CacheIndex(paths, await readIndex(paths.index, log), log);
    const changed = await index.reconcile();
    if (changed) await index.save();
    return index;
  }

  filePath(sha256: string): string {
    return join(this.paths.files, sha256);
  }

  partialPath(sha256: string): string {
    return join(this.paths.partial, sha256);
  }

  has(sha256: string): boolean {
    return this.data.files[sha256] !== undefined;
  }

  totalBytes(): number {
    return Object.values(this.data.files).reduce((sum, e) => sum + e.size, 0);
  }

  /**
   * True when the cached file is still the verified one: same size and mtime as recorded, or
   * re-hashed to the same digest. A file that fails is dropped (it will be downloaded again).
   */
  async verify(sha256: string): Promise<boolean> {
    const entry = this.data.files[sha256];
    if (entry === undefined) return false;
    const path = this.filePath(sha256);
    try {
      const st = await stat(path);
      if (st.size === entry.size && st.mtimeMs === entry.mtimeMs) return true;
      if (st.size === entry.size && (await sha256File(path)) === sha256) {
        entry.mtimeMs = st.mtimeMs;
        return true;
      }
      this.log.warn(`cached file ${sha256} was modified; discarding it`);
    } catch (err) {
      if (!isErrnoException(err) || err.code !== 'ENOENT') throw err;
    }
    await this.remove(sha256);
    return false;
  }

  /** Records a file just moved into `files/` after its hash was checked. */
  async add(sha256: string, nowMs: number): Promise<void> {
    const st = await stat(this.filePath(sha256));
    this.data.files[sha256] = { size: st.size, mtimeMs: st.mtimeMs, lastUsedMs: nowMs };
  }

  touch(sha256s: Iterable<string>, nowMs: number): void {
    for (const sha of sha256s) {
      const entry = this.data.files[sha];
      if (entry !== undefined) entry.lastUsedMs = nowMs;
    }
  }

  /** Protects files from eviction until the returned function is called (once). */
  pin(sha256s: Iterable<string>): () => void {
    const list = [...new Set(sha256s)];
    for (const sha of list) this.pins.set(sha, (this.pins.get(sha) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const sha of list) {
        const n = (this.pins.get(sha) ?? 1) - 1;
        if (n <= 0) this.pins.delete(sha);
        else this.pins.set(sha, n);
      }
    };
  }

  isPinned(sha256: string): boolean {
    return this.pins.has(sha256);
  }

  /** Evicts least recently used unpinned files until `bytes` more fit under `maxBytes`. */
  async makeRoom(bytes: number, maxBytes: number): Promise<MakeRoomResult> {
    const evicted: string[] = [];
    const candidates = Object.entries(this.data.files)
      .filter(([sha]) => !this.isPinned(sha))
      .sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs);
    let total = this.totalBytes();
    for (const [sha, entry] of candidates) {
      if (total + bytes <= maxBytes) break;
      await this.remove(sha);
      total -= entry.size;
      evicted.push(sha);
    }
    if (evicted.length > 0) {
      this.log.info(`content cache: evicted ${evicted.length} file(s) to make room`);
      await this.save();
    }
    if (total + bytes <= maxBytes) return { ok: true, evicted };
    return {
      ok: false,
      reason:
        `the content cache (at most ${maxBytes} bytes) cannot take ${bytes} more bytes: ` +
        `${total} bytes are held by content prepared for other deployments`,
    };
  }

  firstFailure(packageVersionId: string): number | undefined {
    return this.data.firstFailures[packageVersionId];
  }

  /** Remembers the first local failure for a version (later failures keep the first time). */
  markFailure(packageVersionId: string, nowMs: number): void {
    this.data.firstFailures[packageVersionId] ??= nowMs;
  }

  clearFailure(packageVersionId: string): void {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the index is a JSON document, read and written as is; a Map would be converted on every load and save
    delete this.data.firstFailures[packageVersionId];
  }

  /**
   * Saves unless a save happened within `minIntervalMs`. Used after each downloaded file: a
   * package of thousands of small files must not rewrite (and fsync) the index thousands of
   * times. A crash in between costs only re-hashing the files moved in since (`reconcile`).
   */
  async saveSoon(minIntervalMs = 2000): Promise<void> {
    if (performance.now() - this.lastSaveMs < minIntervalMs) return;
    await this.save();
  }

  /** Writes the index (serialised: concurrent prepares save the latest state in turn). */
  save(): Promise<void> {
    this.lastSaveMs = performance.now();
    return this.saveMutex.run(() =>
      writeFileAtomic(this.paths.index, JSON.stringify(this.data), { mode: 0o600 }),
    );
  }

  private async remove(sha256: string): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the index is a JSON document, read and written as is; a Map would be converted on every load and save
    delete this.data.files[sha256];
    await unlink(this.filePath(sha256)).catch((err: unknown) => {
      if (!isErrnoException(err) || err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * Makes the index and `files/` agree after a crash: entries whose file vanished or changed size
   * are dropped; files without an entry (moved in, then the agent died before the index was
   * written) are re-hashed and adopted when their name is their hash, deleted otherwise.
   */
  private async reconcile(): Promise<boolean> {
    let changed = false;
    for (const [sha, entry] of Object.entries(this.data.files)) {
      const size = await stat(this.filePath(sha)).then(
        (st) => st.size,
        () => -1,
      );
      if (size !== entry.size) {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the index is a JSON document, read and written as is; a Map would be converted on every load and save
        delete this.data.files[sha];
        changed = true;
      }
    }
    for (const name of await readdir(this.paths.files)) {
      if (this.data.files[name] !== undefined) continue;
      const path = join(this.paths.files, name);
      changed = true;
      if (SHA256.test(name) && (await sha256File(path).catch(() => '')) === name) {
        const st = await stat(path);
        this.data.files[name] = { size: st.size, mtimeMs: st.mtimeMs, lastUsedMs: st.mtimeMs };
      } else {
        await unlink(path).catch(() => undefined);
      }
    }
    return changed;
  }
}

async function readIndex(path: string, log: Logger): Promise<CacheIndexFile> {
  const empty: CacheIndexFile = { version: 1, files: {}, firstFailures: {} };
  const text = await readFileIfExists(path);
  if (text === undefined) return empty;
  try {
    const what = 'content cache index';
    return parseWith(CacheIndexFile, parseJsonText(text, what), what);
  } catch (err) {
    log.warn(`${errorMessage(err)}; rebuilding it from the cached files`);
    return empty;
  }
}
