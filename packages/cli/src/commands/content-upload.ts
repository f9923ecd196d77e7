import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient, ManifestEntry, Package, PackageVersion } from '@steward/protocol';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { formatBytes } from './software-common.js';

/**
 * Importing a package source into the content library (ADR 0007): a folder goes hash-first, so
 * only files the library lacks cross the wire; an archive streams as it is. Both with a byte
 * progress bar on stderr.
 */

export interface LocalFile {
  /** Relative POSIX path inside the package. */
  path: string;
  abs: string;
  mode: number;
  /** Size when listed (the manifest takes the bytes actually hashed). */
  size: number;
}

/** Limits of CreateVersionFromFilesRequest / MissingContentRequest. */
const MAX_FILES = 100_000;
const MISSING_BATCH = 10_000;
const UPLOADS_IN_PARALLEL = 4;

/**
 * Every regular file under `root`, sorted by path. Symbolic links are not followed (a link could
 * pull in anything on the machine) and, like sockets and FIFOs, are listed in `skipped`.
 */
export async function walkFolder(root: string): Promise<{ files: LocalFile[]; skipped: string[] }> {
  const files: LocalFile[] = [];
  const skipped: string[] = [];
  const visit = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dir, e.name);
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await visit(abs, path);
      else if (e.isFile()) {
        const s = await lstat(abs);
        files.push({ path, abs, mode: s.mode & 0o7777, size: s.size });
      } else skipped.push(path);
    }
  };
  await visit(root, '');
  return { files, skipped };
}

/** Byte progress: a bar with exact sizes on a terminal, a line per quarter otherwise (logs stay short). */
export interface ByteProgress {
  add(bytes: number): void;
  stop(final?: string): void;
}

export function byteProgress(io: CliIo, title: string, total: number): ByteProgress {
  const p = createProgress(io, { title, total: Math.max(total, 1) });
  const tty = io.stderr.isTTY === true;
  let done = 0;
  const stage = (): string =>
    tty
      ? `${formatBytes(done)} / ${formatBytes(total)}`
      : `${total === 0 ? 100 : Math.floor((done / total) * 4) * 25}% of ${formatBytes(total)}`;
  p.update(stage(), 0);
  return {
    add(bytes) {
      done += bytes;
      p.update(stage(), done);
    },
    stop(final) {
      p.stop(final);
    },
  };
}

/** SHA-256 of a file, streaming; reports bytes as they are read. */
export async function hashFile(
  abs: string,
  onBytes: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(abs),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        onBytes(chunk.length);
        done();
      },
    }),
  );
  return { sha256: hash.digest('hex'), size };
}

/** A web stream of a file's bytes (what fetch takes as a body), reporting bytes as they go. */
export function fileBody(abs: string, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(abs)).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

export interface FolderImport {
  version: PackageVersion;
  /** The current version already held exactly these files: no version was made. */
  unchanged: boolean;
  files: number;
  bytes: number;
  uploadedFiles: number;
  uploadedBytes: number;
  skipped: string[];
}

/**
 * Folder import, hash-first: hash, ask which hashes are missing, upload those, make the version.
 * Importing an unchanged folder again makes no version (scripts can re-run it) unless `force`.
 */
export async function importFolder(
  io: CliIo,
  client: ApiClient,
  pkg: Package,
  dir: string,
  opts: { force: boolean },
): Promise<FolderImport> {
  const { files, skipped } = await walkFolder(dir);
  if (files.length === 0)
    throw new CliError('EMPTY_SOURCE', `${dir} holds no regular file to import`);
  if (files.length > MAX_FILES)
    throw new CliError(
      'TOO_MANY_FILES',
      `${dir} holds ${files.length} files; at most ${MAX_FILES}`,
    );
  const manifest = await hashAll(io, files);
  const bytes = manifest.reduce((n, m) => n + m.size, 0);
  if (!opts.force && pkg.currentVersion !== null && (await sameAsCurrent(client, pkg, manifest))) {
    const version = pkg.currentVersion;
    return {
      version,
      unchanged: true,
      files: manifest.length,
      bytes,
      uploadedFiles: 0,
      uploadedBytes: 0,
      skipped,
    };
  }
  const missing = await missingHashes(client, [...new Set(manifest.map((m) => m.sha256))]);
  // One upload per missing hash, from the first file that has it.
  const toUpload = new Map<string, { abs: string; size: number }>();
  manifest.forEach((m, i) => {
    const file = files[i];
    if (missing.has(m.sha256) && !toUpload.has(m.sha256) && file !== undefined)
      toUpload.set(m.sha256, { abs: file.abs, size: m.size });
  });
  const uploadedBytes = [...toUpload.values()].reduce((n, f) => n + f.size, 0);
  if (toUpload.size > 0) await uploadAll(io, client, toUpload, uploadedBytes);
  const version = await client.createVersionFromFiles(pkg.id, manifest);
  return {
    version,
    unchanged: false,
    files: manifest.length,
    bytes,
    uploadedFiles: toUpload.size,
    uploadedBytes,
    skipped,
  };
}

/** The package's current version holds exactly these files: paths, hashes and modes. */
async function sameAsCurrent(
  client: ApiClient,
  pkg: Package,
  manifest: readonly ManifestEntry[],
): Promise<boolean> {
  const current = pkg.currentVersion;
  if (current === null || current.fileCount !== manifest.length) return false;
  const key = (m: ManifestEntry): string => `${m.path}\0${m.sha256}\0${m.mode}`;
  const mine = new Set(manifest.map(key));
  const existing = await client.packageVersionFiles(pkg.id, current.number);
  return existing.length === manifest.length && existing.every((e) => mine.has(key(e)));
}

async function hashAll(io: CliIo, files: readonly LocalFile[]): Promise<ManifestEntry[]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  const progress = byteProgress(io, `Hashing ${plural(files.length, 'file')}`, total);
  try {
    const manifest: ManifestEntry[] = [];
    for (const f of files) {
      const { sha256, size } = await hashFile(f.abs, (n) => progress.add(n));
      manifest.push({ path: f.path, sha256, size, mode: f.mode });
    }
    return manifest;
  } finally {
    progress.stop();
  }
}

export async function missingHashes(
  client: ApiClient,
  hashes: readonly string[],
): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let i = 0; i < hashes.length; i += MISSING_BATCH) {
    const res = await client.missingContent(hashes.slice(i, i + MISSING_BATCH));
    for (const h of res.missing) missing.add(h);
  }
  return missing;
}

export async function uploadAll(
  io: CliIo,
  client: ApiClient,
  files: ReadonlyMap<string, { abs: string; size: number }>,
  totalBytes: number,
): Promise<void> {
  const progress = byteProgress(io, `Uploading ${plural(files.size, 'new file')}`, totalBytes);
  const queue = [...files.entries()];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [sha256, file] = next;
      await client.uploadContentFile(
        sha256,
        fileBody(file.abs, (n) => progress.add(n)),
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: UPLOADS_IN_PARALLEL }, worker));
  } finally {
    progress.stop();
  }
}

/** A .tar, .tar.gz or .tgz archive: true/false for gzip; undefined for anything else. */
export function archiveKind(path: string): boolean | undefined {
  if (/\.(tgz|tar\.gz)$/i.test(path)) return true;
  if (/\.tar$/i.test(path)) return false;
  return undefined;
}

/** Streams an archive to the site as the package's new version. */
export async function importArchive(
  io: CliIo,
  client: ApiClient,
  packageId: string,
  path: string,
  size: number,
  gzip: boolean,
): Promise<PackageVersion> {
  const progress = byteProgress(io, 'Uploading archive', size);
  try {
    return await client.createVersionFromArchive(
      packageId,
      fileBody(path, (n) => progress.add(n)),
      gzip,
    );
  } finally {
    progress.stop();
  }
}
