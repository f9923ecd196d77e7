import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OsImageFileSystem } from '@steward/protocol';
import { errorMessage } from '../errors.js';
import type { LocalOsImage } from './host.js';
import { HARD_LINK_STATE_DIR } from './user-state-transfer.js';

/** GNU tar flags that keep what a Debian system needs: owners by number, modes, xattrs, ACLs. */
export const TAR_KEEP = [
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--acls',
  '--sparse',
] as const;

/** How an archive's bytes reached the step (reported in its status). */
export type ArchiveMethod = 'multicast' | 'http' | 'local';

/** An opened source: its bytes, and how it ended (a reason when it did not end cleanly). */
export interface OpenedArchive {
  stream: Readable;
  finished?: Promise<string | undefined>;
  stop?: () => void;
  /** Said in the status: where the bytes came from (DP, session). */
  detail: string;
}

/**
 * One place an archive can be streamed from, opened only when its turn comes: the apply step
 * tries them in order until one delivers the archive's exact bytes. `open` rejects (or returns
 * a reason) when the source cannot start (a DP without a session, a refused download).
 */
export interface ArchiveSource {
  method: ArchiveMethod;
  open: (signal: AbortSignal) => Promise<OpenedArchive | { unavailable: string }>;
}

/** How one archive was applied, for the step's output and the site's status message. */
export interface AppliedArchive {
  archive: string;
  bytes: number;
  method: ArchiveMethod;
  /** Where from ("from branch-dp (session ...)"). */
  detail: string;
  /** The better sources passed over and why ("multicast: MULTICAST_UNAVAILABLE ..."). */
  passedOver: string[];
}

/** The step's line for an applied archive. */
export function appliedLine(a: AppliedArchive): string {
  const why = a.passedOver.length > 0 ? ` (after: ${a.passedOver.join('; ')})` : '';
  return `${a.archive}: ${a.method}, ${a.detail}, ${String(a.bytes)} bytes, SHA-256 verified${why}`;
}

/** An OS image to apply: its manifest and, per archive, its sources best first. */
export interface OsImageSources {
  manifest: LocalOsImage['manifest'];
  sources: (fs: OsImageFileSystem) => ArchiveSource[];
  /** Told each archive's outcome as it is applied (the boot environment's log and status). */
  report?: (applied: AppliedArchive) => void;
}

/** An image folder on local disk (media, tests) as sources: each archive read from its file. */
export function localImageSources(image: LocalOsImage): OsImageSources {
  return {
    manifest: image.manifest,
    sources: (fs) => [
      {
        method: 'local',
        open: () =>
          Promise.resolve({
            stream: createReadStream(join(image.dir, fs.archive)),
            detail: join(image.dir, fs.archive),
          }),
      },
    ],
  };
}

/** Hashes and counts the bytes on their way to tar; an error at the end when they are not the archive. */
function verifier(fs: OsImageFileSystem): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > fs.archiveBytes) {
        done(new Error(`more than the archive's ${String(fs.archiveBytes)} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (bytes !== fs.archiveBytes)
        done(new Error(`${String(bytes)} of the archive's ${String(fs.archiveBytes)} bytes`));
      else if (hash.digest('hex') !== fs.sha256)
        done(new Error('the bytes did not match the SHA-256'));
      else done();
    },
  });
}

export type ExtractOutcome =
  | { kind: 'applied'; detail: string }
  /** The source did not deliver the archive: `touched` when tar may have written something. */
  | { kind: 'source-failed'; reason: string; touched: boolean }
  /** tar itself failed on verified bytes (a full disk...): no other source would do better. */
  | { kind: 'local-failure'; reason: string };

/**
 * Streams one source into `tar --zstd -x` in `into`, verifying the SHA-256 and the size on the
 * way (issue 11: the download is not stored first, so the RAM disk of the boot environment
 * needs no room for the image and extraction overlaps the transfer).
 */
export async function extractFrom(
  source: ArchiveSource,
  fs: OsImageFileSystem,
  into: string,
  signal: AbortSignal,
): Promise<ExtractOutcome> {
  let opened: OpenedArchive | { unavailable: string };
  try {
    opened = await source.open(signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'source-failed', reason: errorMessage(err), touched: false };
  }
  if ('unavailable' in opened)
    return { kind: 'source-failed', reason: opened.unavailable, touched: false };
  const tar = spawn('tar', ['--zstd', '-xpf', '-', '-C', into, ...TAR_KEEP], {
    stdio: ['pipe', 'ignore', 'pipe'],
    signal,
  });
  let tarOutput = '';
  tar.stderr.setEncoding('utf8');
  tar.stderr.on('data', (t: string) => (tarOutput = (tarOutput + t).slice(-2000)));
  const tarExit = new Promise<number | null>((resolve) => {
    tar.on('error', () => resolve(null));
    tar.on('close', (code) => resolve(code));
  });
  const check = verifier(fs);
  // Whose fault a failure is: the source's (its stream, or bytes that are not the archive) or
  // tar's (a pipe it closed, a full disk), which no other source would fix.
  const seen: { verified: boolean; sourceError?: string } = { verified: false };
  opened.stream.on('error', (err) => (seen.sourceError ??= errorMessage(err)));
  check.on('error', (err) => (seen.sourceError ??= errorMessage(err)));
  check.on('end', () => (seen.verified = true));
  await pipeline(opened.stream, check, tar.stdin).catch((err: unknown) => {
    if (signal.aborted) throw err;
  });
  if (!seen.verified) opened.stop?.();
  const code = await tarExit;
  const ended = await opened.finished;
  if (seen.verified && code === 0 && ended === undefined)
    return { kind: 'applied', detail: opened.detail };
  if (seen.sourceError === undefined && ended === undefined)
    return {
      kind: 'local-failure',
      reason: `tar failed (exit ${String(code)}): ${tarOutput.trim().split('\n').slice(-3).join(' ')}`,
    };
  return { kind: 'source-failed', reason: ended ?? seen.sourceError ?? 'no bytes', touched: true };
}

/**
 * Empties a folder a failed extraction wrote into, so the target does not look applied (the
 * file system's own lost+found stays, and user state kept in place with hard links). The apply step mounts only the new root, so nothing
 * below it is another file system.
 */
export async function emptyFolder(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [])) {
    if (entry === 'lost+found' || entry === HARD_LINK_STATE_DIR) continue;
    await rm(join(dir, entry), { recursive: true, force: true });
  }
}
