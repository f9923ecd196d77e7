import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stat, unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request, type Agent } from 'node:https';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentOps, pathOf } from '@steward/protocol';
import { errorMessage } from '../../errors.js';
import { abortReason, isAbortError } from './abort.js';
import { hashInto } from './file-hash.js';
import type { TokenBucket } from './token-bucket.js';

/** No byte for this long: the DP is treated as gone and the next one is tried. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;

export interface DownloadRequest {
  agent: Agent;
  /** DP base URL from the content locations. */
  baseUrl: string;
  accessToken: string;
  sha256: string;
  size: number;
  /** Where the bytes accumulate; kept across failures and restarts (same hash on any DP). */
  partialPath: string;
  bucket?: TokenBucket | undefined;
  signal?: AbortSignal | undefined;
  /** Bytes of this file held so far (partial included); called as they arrive. */
  onBytes?: (fileBytes: number) => void;
  idleTimeoutMs?: number;
}

export type DownloadResult =
  /** The partial file now holds exactly the bytes of `sha256`. */
  | { kind: 'complete' }
  /** The bytes did not hash to `sha256`; the partial file was deleted. */
  | { kind: 'hash-mismatch' }
  /** The DP could not deliver; the partial is kept. `authRejected`: 401/403 (token expired?). */
  | { kind: 'failed'; reason: string; authRejected: boolean }
  /** This machine could not store the bytes (disk full...): no other DP would do better. */
  | { kind: 'local-failure'; reason: string };

export function contentFileUrl(baseUrl: string, sha256: string): string {
  return baseUrl.replace(/\/+$/, '') + pathOf(agentOps.content.file, { sha256 });
}

/**
 * Fetches one content file from one DP, resuming from the partial file with `Range`. A 206 is
 * appended (after checking it starts where the partial ends), a 200 starts over. The SHA-256 is
 * computed while streaming (the partial's existing bytes are hashed first on a resume), so a
 * complete file is verified without reading it twice.
 */
export async function downloadFile(req: DownloadRequest): Promise<DownloadResult> {
  let offset = await partialSize(req.partialPath);
  if (offset > req.size) {
    await unlink(req.partialPath);
    offset = 0;
  }
  // An empty file needs no bytes from a DP (an empty apt index, ADR 0083), but a partial file
  // to verify and place: there would be none.
  if (req.size === 0) await writeFile(req.partialPath, '', { flag: 'a', mode: 0o600 });
  if (offset === req.size) return verifyComplete(req);
  let res: IncomingMessage;
  try {
    res = await openResponse(req, offset);
  } catch (err) {
    if (req.signal?.aborted) throw abortReason(req.signal);
    if (isAbortError(err)) throw err;
    return failed(`cannot connect: ${errorMessage(err)}`);
  }
  const status = res.statusCode ?? 0;
  if (status === 200) return receive(req, res, 0);
  if (status === 206) {
    const start = contentRangeStart(res.headers['content-range']);
    if (start === offset) return receive(req, res, offset);
    res.destroy();
    return failed(`answered a range starting at ${String(start)} instead of ${offset}`);
  }
  res.resume();
  if (status === 416) {
    // The DP says our partial is not a prefix of its file: it cannot be resumed anywhere.
    await unlink(req.partialPath).catch(() => undefined);
    return failed('refused the resume range (partial discarded)');
  }
  return {
    kind: 'failed',
    reason: `answered HTTP ${status}`,
    authRejected: status === 401 || status === 403,
  };
}

function failed(reason: string): DownloadResult {
  return { kind: 'failed', reason, authRejected: false };
}

async function partialSize(path: string): Promise<number> {
  return stat(path).then(
    (st) => st.size,
    () => 0,
  );
}

async function verifyComplete(req: DownloadRequest): Promise<DownloadResult> {
  const hash = createHash('sha256');
  await hashInto(hash, req.partialPath);
  req.onBytes?.(req.size);
  return finish(req, hash);
}

async function finish(req: DownloadRequest, hash: Hash): Promise<DownloadResult> {
  if (hash.digest('hex') === req.sha256) return { kind: 'complete' };
  await unlink(req.partialPath).catch(() => undefined);
  return { kind: 'hash-mismatch' };
}

function openResponse(req: DownloadRequest, offset: number): Promise<IncomingMessage> {
  const headers: Record<string, string> = { authorization: `Bearer ${req.accessToken}` };
  if (offset > 0) headers['range'] = `bytes=${offset}-`;
  const timeoutMs = req.idleTimeoutMs ?? DOWNLOAD_IDLE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const r = request(
      contentFileUrl(req.baseUrl, req.sha256),
      { method: 'GET', agent: req.agent, headers, timeout: timeoutMs, signal: req.signal },
      resolve,
    );
    r.on('timeout', () => r.destroy(new Error(`no data for ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end();
  });
}

/**
 * One content file's body from a DP as a stream (no partial file): for a consumer that
 * verifies the bytes as they pass, such as the apply-image step extracting while it downloads.
 * Rejects unless the DP answers 200.
 */
export async function openContentStream(
  req: Pick<DownloadRequest, 'agent' | 'baseUrl' | 'accessToken' | 'sha256' | 'signal'> & {
    idleTimeoutMs?: number;
  },
): Promise<IncomingMessage> {
  const res = await openResponse({ ...req, size: 0, partialPath: '' }, 0);
  if (res.statusCode === 200) return res;
  res.resume();
  throw new Error(`answered HTTP ${String(res.statusCode)}`);
}

function contentRangeStart(header: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Streams the body into the partial file, hashing and throttling as it goes. */
async function receive(
  req: DownloadRequest,
  res: IncomingMessage,
  offset: number,
): Promise<DownloadResult> {
  const hash = createHash('sha256');
  if (offset > 0) await hashInto(hash, req.partialPath);
  const out = createWriteStream(req.partialPath, { flags: offset > 0 ? 'a' : 'w', mode: 0o600 });
  let writeError: Error | undefined;
  out.on('error', (err) => (writeError = err));
  let done = offset;
  let error: string | undefined;
  let overflow = false;
  try {
    for await (const chunk of res) {
      if (!(chunk instanceof Uint8Array)) continue;
      if (done + chunk.length > req.size) {
        overflow = true;
        break;
      }
      hash.update(chunk);
      done += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain', { signal: req.signal });
      req.onBytes?.(done);
      const wait = req.bucket?.take(chunk.length) ?? 0;
      if (wait > 0) await sleep(wait, undefined, { signal: req.signal });
    }
  } catch (err) {
    if (isAbortError(err) || req.signal?.aborted) {
      res.destroy();
      await closeStream(out);
      throw req.signal === undefined ? err : abortReason(req.signal);
    }
    error = `connection lost after ${done} of ${req.size} bytes: ${errorMessage(err)}`;
  }
  res.destroy();
  await closeStream(out);
  if (writeError !== undefined)
    return {
      kind: 'local-failure',
      reason: `cannot write ${req.partialPath}: ${writeError.message}`,
    };
  if (overflow) {
    // More bytes than the manifest's size cannot be this file; start it over from another DP.
    await unlink(req.partialPath).catch(() => undefined);
    return failed('sent more bytes than the file has');
  }
  if (error === undefined && done < req.size)
    error = `connection closed after ${done} of ${req.size} bytes`;
  if (error !== undefined) return failed(error);
  return finish(req, hash);
}

/** Ends the stream and waits until the file is closed (also when the stream already failed). */
async function closeStream(out: WriteStream): Promise<void> {
  if (out.closed) return;
  const closed = once(out, 'close').then(
    () => undefined,
    () => undefined,
  );
  if (!out.destroyed) out.end();
  await closed;
}
