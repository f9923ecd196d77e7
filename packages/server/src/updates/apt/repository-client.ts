import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { streamDeb822, type Paragraph } from './deb822.js';
import {
  byHashPath,
  indexForms,
  parseRelease,
  pickIndex,
  type Release,
  type ReleaseFile,
} from './release.js';
import { SignatureError, verifyDetached, verifyInRelease } from './signature.js';

/**
 * Reads one suite of an apt repository the way apt does: the signed InRelease (or Release with
 * Release.gpg), checked against the source's keyring before anything in it is believed; then
 * index files by their SHA-256 (by-hash when the suite offers it, so a mirror update in the
 * middle of a read cannot mix two generations), each checked for size and hash before a byte of
 * it is parsed.
 */

export type RepositoryFailure =
  'unreachable' | 'not-found' | 'expired' | 'hash-mismatch' | 'too-large';

export class RepositoryError extends Error {
  constructor(
    readonly reason: RepositoryFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SuiteLocation {
  /** The repository's base URL (`http://mirror.example.org/debian-security`). */
  url: string;
  /** The suite or codename (`bookworm-security`). */
  suite: string;
  /** Path of the keyring file (binary OpenPGP keyring, as apt's Signed-By). */
  keyringFile: string;
}

/** A verified Release and what identifies it (its signed text's SHA-256). */
export interface VerifiedRelease {
  release: Release;
  fingerprint: string;
  textSha256: string;
}

const RELEASE_MAX_BYTES = 16 << 20;

function suiteUrl(loc: SuiteLocation, path: string): string {
  return `${loc.url.replace(/\/+$/, '')}/dists/${loc.suite}/${path}`;
}

async function get(url: string, maxBytes: number): Promise<Buffer | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error' });
  } catch (err) {
    throw new RepositoryError(
      'unreachable',
      `${url}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new RepositoryError('unreachable', `${url}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > maxBytes)
    throw new RepositoryError('too-large', `${url}: over ${maxBytes} bytes`);
  return body;
}

/** Fetches and verifies the suite's Release (InRelease first, then Release + Release.gpg). */
export async function fetchRelease(loc: SuiteLocation, now = new Date()): Promise<VerifiedRelease> {
  const inRelease = await get(suiteUrl(loc, 'InRelease'), RELEASE_MAX_BYTES);
  let verified;
  if (inRelease) verified = await verifyInRelease(inRelease, loc.keyringFile);
  else {
    const release = await get(suiteUrl(loc, 'Release'), RELEASE_MAX_BYTES);
    if (!release)
      throw new RepositoryError('not-found', `${suiteUrl(loc, '')}: no InRelease or Release`);
    const sig = await get(suiteUrl(loc, 'Release.gpg'), 1 << 20);
    if (!sig)
      throw new SignatureError('not-signed', `${suiteUrl(loc, 'Release')} has no Release.gpg`);
    verified = await verifyDetached(release, sig, loc.keyringFile);
  }
  const release = parseRelease(verified.text);
  if (release.validUntil && release.validUntil.getTime() < now.getTime())
    throw new RepositoryError(
      'expired',
      `${suiteUrl(loc, 'InRelease')} expired on ${release.validUntil.toISOString()} (Valid-Until): a replayed or stale mirror`,
    );
  const textSha256 = createHash('sha256').update(verified.text).digest('hex');
  return { release, fingerprint: verified.fingerprint, textSha256 };
}

/** The index file a suite lists for `base` (`main/binary-amd64/Packages`), or undefined. */
export function findIndex(r: VerifiedRelease, base: string) {
  return pickIndex(r.release, base);
}

/** Downloads `url` to `to`, refusing it unless its size and SHA-256 are those `file` gives. */
export async function download(
  url: string,
  file: Pick<ReleaseFile, 'size' | 'sha256'>,
  to: string,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error' });
  } catch (err) {
    throw new RepositoryError(
      'unreachable',
      `${url}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (res.status === 404) throw new RepositoryError('not-found', `${url}: not found`);
  if (!res.ok || !res.body) throw new RepositoryError('unreachable', `${url}: HTTP ${res.status}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const out = createWriteStream(to);
  try {
    for await (const value of res.body) {
      if (!(value instanceof Uint8Array)) throw new Error(`${url}: the body gave a non-byte chunk`);
      bytes += value.length;
      if (bytes > file.size)
        throw new RepositoryError(
          'too-large',
          `${url}: longer than the ${file.size} bytes the Release lists`,
        );
      hash.update(value);
      if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r) => out.end(r));
  }
  const sum = hash.digest('hex');
  if (bytes !== file.size || sum !== file.sha256)
    throw new RepositoryError(
      'hash-mismatch',
      `${url}: ${bytes} bytes with SHA-256 ${sum}, the Release says ${file.size} bytes with ${file.sha256}`,
    );
}

function decompressed(path: string, compression: 'xz' | 'gz' | 'none'): Readable {
  const raw = createReadStream(path);
  switch (compression) {
    case 'none':
      return raw;
    case 'gz': {
      const gunzip = createGunzip();
      void pipeline(raw, gunzip).catch((err: unknown) =>
        gunzip.destroy(err instanceof Error ? err : undefined),
      );
      return gunzip;
    }
    case 'xz': {
      // Node has no xz decoder; xz-utils is on every Debian system that runs apt.
      const xz = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
      void pipeline(raw, xz.stdin).catch(() => xz.kill());
      return xz.stdout;
    }
  }
}

async function* utf8(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream) {
    if (!Buffer.isBuffer(chunk)) throw new Error('index stream gave a non-byte chunk');
    yield decoder.write(chunk);
  }
  yield decoder.end();
}

type IndexFile = ReleaseFile & { compression: 'xz' | 'gz' | 'none' };

/**
 * Downloads `file` (by hash where offered) to `to`; when the repository does not have that form
 * (404), the next form the Release lists for the same index, as apt does. Returns the form read.
 */
async function downloadIndex(
  loc: SuiteLocation,
  r: VerifiedRelease,
  file: IndexFile,
  to: string,
): Promise<IndexFile> {
  const base = file.path.replace(/\.(xz|gz)$/, '');
  const forms = [file, ...indexForms(r.release, base).filter((f) => f.path !== file.path)];
  for (const [i, form] of forms.entries()) {
    try {
      await download(
        suiteUrl(loc, r.release.acquireByHash ? byHashPath(form) : form.path),
        form,
        to,
      );
      return form;
    } catch (err) {
      if (!(err instanceof RepositoryError && err.reason === 'not-found') || i === forms.length - 1)
        throw err;
    }
  }
  throw new RepositoryError('not-found', `${suiteUrl(loc, file.path)}: not found`);
}

/** A cached index file whose bytes still have the size and SHA-256 the Release gives. */
async function cachedForm(
  dir: string,
  forms: readonly IndexFile[],
): Promise<IndexFile | undefined> {
  for (const form of forms) {
    const path = join(dir, cacheName(form));
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      continue;
    }
    // A damaged or truncated cache file costs one download, nothing more.
    if (
      body.length === form.size &&
      createHash('sha256').update(body).digest('hex') === form.sha256
    )
      return form;
  }
  return undefined;
}

/** The cache file name of an index form: its SHA-256 (as by-hash) and its compression. */
export const cacheName = (form: Pick<IndexFile, 'sha256' | 'compression'>) =>
  `${form.sha256}.${form.compression}`;

/**
 * Downloads one index the verified Release lists (by hash where offered), checks it, then yields
 * its paragraphs from the checked file. The caller treats the read as one unit: it stops at the
 * first error and keeps nothing of a failed read.
 *
 * With `cacheDir` (apt's lists directory, per source): an index whose SHA-256 in this Release is
 * that of a file kept from an earlier read is read from that file, with no request; a downloaded
 * index is kept there under its SHA-256. A changed suite then downloads only the indexes whose
 * hash changed.
 */
export async function* readIndex(
  loc: SuiteLocation,
  r: VerifiedRelease,
  file: IndexFile,
  cacheDir?: string,
): AsyncGenerator<Paragraph> {
  const base = file.path.replace(/\.(xz|gz)$/, '');
  if (cacheDir !== undefined) {
    await mkdir(cacheDir, { recursive: true });
    let form = await cachedForm(cacheDir, indexForms(r.release, base));
    if (!form) {
      const part = join(cacheDir, `${randomUUID()}.part`);
      try {
        form = await downloadIndex(loc, r, file, part);
        await rename(part, join(cacheDir, cacheName(form)));
      } finally {
        await rm(part, { force: true });
      }
    }
    yield* streamDeb822(utf8(decompressed(join(cacheDir, cacheName(form)), form.compression)));
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'steward-apt-'));
  try {
    const local = join(dir, 'index');
    const read = await downloadIndex(loc, r, file, local);
    yield* streamDeb822(utf8(decompressed(local, read.compression)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * After a good sync: drops the cached indexes this Release no longer lists (superseded index
 * generations), so the cache holds one generation per source.
 */
export async function pruneIndexCache(cacheDir: string, r: VerifiedRelease): Promise<void> {
  const keep = new Set(
    [...r.release.files.values()].flatMap((f) =>
      (['xz', 'gz', 'none'] as const).map((compression) =>
        cacheName({ sha256: f.sha256, compression }),
      ),
    ),
  );
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return;
  }
  for (const name of names) if (!keep.has(name)) await rm(join(cacheDir, name), { force: true });
}
