import { AppError, InputError, ErrorCode } from '@steward/protocol';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ManifestEntry } from '@steward/protocol';
import type { ContentStore } from './content-store.js';
import { badPathReason, checkManifest } from './manifest.js';

export type OnStored = (file: { sha256: string; size: number }) => Promise<void>;

function invalid(message: string, details?: unknown): InputError {
  return new InputError(ErrorCode.INVALID_ARCHIVE, message, details);
}

/** `./a/b` → `a/b`; the archive root `./` → ''. */
function entryPath(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function checkEntryName(name: string, path: string): void {
  if (name.startsWith('/'))
    throw invalid(`archive entry "${name}" has an absolute path`, { path: name });
  const reason = badPathReason(path);
  if (reason) throw invalid(`archive entry "${name}" ${reason}`, { path: name });
}

/** Disk trouble (ENOSPC, EACCES...) is the server's problem, not a bad archive. */
function isSystemError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'syscall' in err;
}

/** As many entries as a manifest may hold files (the JSON upload's limit). */
export const MAX_ARCHIVE_ENTRIES = 100_000;

/**
 * A header as tar-stream's parser gives it, wider than its types: `type` is null for a typeflag
 * the parser does not know, and a base-256 `mode` it cannot read is null.
 */
type ParsedHeader = Omit<tar.Header, 'type' | 'mode'> & {
  type: tar.Header['type'] | null | undefined;
  mode: number | null | undefined;
};

async function storeEntries(
  store: ContentStore,
  extract: tar.Extract,
  onStored: OnStored,
  maxEntries: number,
): Promise<ManifestEntry[]> {
  const files: ManifestEntry[] = [];
  let entries = 0;
  for await (const entry of extract) {
    const header: ParsedHeader = entry.header;
    const { name, type } = header;
    // Folder entries count too: an archive of millions of empty folders is refused early.
    if (++entries > maxEntries)
      throw invalid(`the archive holds more than ${maxEntries} entries`, { maxEntries });
    const path = entryPath(name);
    switch (type) {
      case 'directory':
        // Folders are implied by file paths; `tar -C dir -cf - .` writes them all.
        if (path !== '') checkEntryName(name, path);
        entry.resume();
        break;
      case 'file':
      case 'contiguous-file':
      case undefined:
      case null: {
        checkEntryName(name, path);
        const stored = await store.putStream(Readable.from(entry));
        await onStored(stored);
        files.push({
          path,
          sha256: stored.sha256,
          size: stored.size,
          mode: (header.mode ?? 0o644) & 0o7777,
        });
        break;
      }
      default:
        // Links and devices could point outside the package or mean nothing on another machine.
        throw invalid(`archive entry "${name}" is a ${type}; only regular files and folders`, {
          path: name,
          type,
        });
    }
  }
  return files;
}

/**
 * Stores every regular file of a tar (or gzip'd tar) stream in the library and returns the
 * manifest. Links, devices, absolute paths and `..` are refused with INVALID_ARCHIVE, as is a
 * damaged archive. On a refusal the rest of the upload is drained (not reset), so the client
 * reads the error; files already stored are the caller's to discard (they were reported through
 * `onStored`).
 */
export async function importArchive(
  store: ContentStore,
  source: Readable,
  opts: { gzip: boolean; onStored: OnStored; maxEntries?: number },
): Promise<ManifestEntry[]> {
  const extract = tar.extract();
  const gunzip = opts.gzip ? createGunzip() : undefined;
  const head: NodeJS.WritableStream = gunzip ?? extract;
  if (gunzip) {
    gunzip.pipe(extract);
    gunzip.on('error', (err) => extract.destroy(invalid(`not a gzip stream: ${err.message}`)));
  }
  const onClose = () => {
    if (!source.readableEnded) extract.destroy(new Error('the upload was interrupted'));
  };
  source.once('close', onClose);
  source.pipe(head);
  try {
    const files = await storeEntries(
      store,
      extract,
      opts.onStored,
      opts.maxEntries ?? MAX_ARCHIVE_ENTRIES,
    );
    if (files.length === 0) throw invalid('the archive holds no files');
    checkManifest(files, ErrorCode.INVALID_ARCHIVE);
    return files;
  } catch (err) {
    source.unpipe(head);
    gunzip?.destroy();
    extract.destroy();
    source.resume();
    if (err instanceof AppError || isSystemError(err)) throw err;
    throw invalid(
      `the archive cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    source.off('close', onClose);
  }
}
