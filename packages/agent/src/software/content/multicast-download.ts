import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { unlink } from 'node:fs/promises';
import { request, type Agent } from 'node:https';
import type { Readable } from 'node:stream';
import { agentOps, MulticastJoinResponse, pathOf } from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import { errorMessage } from '../../errors.js';
import { downloadFile, type DownloadRequest, type DownloadResult } from './dp-download.js';
import { sha256File } from './file-hash.js';

/**
 * Multicast reception of one content file (issue 11, ADR 0088), kept apart from the HTTP
 * download it falls back to: ask the DP for the file's session, run Debian's `udp-receiver`
 * into the partial file, verify the SHA-256. Anything short of a verified file means "download
 * by HTTP" (the caller's `downloadFile`).
 */

export type MulticastResult =
  | { kind: 'complete'; sessionId: string }
  /** Not received: why, for the log and the caller's report; the partial file is gone. */
  | { kind: 'unavailable'; reason: string };

export interface MulticastRequest {
  agent: Agent;
  baseUrl: string;
  accessToken: string;
  sha256: string;
  size: number;
  partialPath: string;
  signal?: AbortSignal | undefined;
  /** `udp-receiver` (tests may name another path). */
  receiverCommand?: string;
}

/** Seconds a transfer may take beyond the start timeout: at least 1 MB/s, plus a minute. */
function transferSeconds(size: number): number {
  return 60 + Math.ceil(size / 1_000_000);
}

function joinSession(
  req: Omit<MulticastRequest, 'partialPath'>,
): Promise<{ ok: true; value: MulticastJoinResponse } | { ok: false; reason: string }> {
  const url = req.baseUrl.replace(/\/+$/, '') + pathOf(agentOps.multicast.join, {});
  const body = JSON.stringify({ sha256: req.sha256 });
  return new Promise((resolve) => {
    const r = request(
      url,
      {
        method: 'POST',
        agent: req.agent,
        signal: req.signal,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${req.accessToken}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ ok: false, reason: errorMessage(err) }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (res.statusCode === 200 && Value.Check(MulticastJoinResponse, parsed))
            resolve({ ok: true, value: parsed });
          else
            resolve({
              ok: false,
              reason: `the DP answered HTTP ${String(res.statusCode)}: ${text.slice(0, 300)}`,
            });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error('no answer in 30 s')));
    r.on('error', (err) => resolve({ ok: false, reason: errorMessage(err) }));
    r.end(body);
  });
}

/** This machine's address toward the DP: where udp-receiver listens (no packet is sent). */
async function localAddressToward(baseUrl: string): Promise<string> {
  const url = new URL(baseUrl);
  const socket = createSocket('udp4');
  try {
    socket.connect(Number(url.port || 443), url.hostname.replace(/^\[|\]$/g, ''));
    await once(socket, 'connect');
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/** Starts udp-receiver for the session: into `output`'s file, or onto its stdout (a pipe). */
function startReceiver(
  req: Omit<MulticastRequest, 'partialPath'>,
  session: MulticastJoinResponse,
  localAddress: string,
  output: { file: string } | 'stdout',
): { child: ChildProcess; exited: Promise<{ code: number | null; last: string }> } {
  const limitSeconds = session.startTimeoutSeconds + transferSeconds(req.size);
  // Without --file, udp-receiver writes what it receives to its standard output.
  const child = spawn(
    req.receiverCommand ?? 'udp-receiver',
    [
      ...(output === 'stdout' ? [] : ['--file', output.file]),
      '--portbase',
      String(session.port),
      '--mcast-rdv-address',
      session.address,
      '--interface',
      localAddress,
      '--nokbd',
      '--start-timeout',
      String(session.startTimeoutSeconds + 30),
    ],
    {
      stdio: ['ignore', output === 'stdout' ? 'pipe' : 'ignore', 'pipe'],
      ...(req.signal ? { signal: req.signal } : {}),
    },
  );
  let last = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => {
    const lines = t.split(/[\r\n]/).filter((l) => l.trim() !== '');
    last = lines.at(-1)?.trim().slice(0, 300) ?? last;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
  const exited = new Promise<{ code: number | null; last: string }>((resolve) => {
    child.on('error', (err) => {
      clearTimeout(guard);
      resolve({ code: null, last: errorMessage(err) });
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, last });
    });
  });
  return { child, exited };
}

/** Joins the DP's session for the file and finds this machine's address toward the DP. */
async function joinFrom(
  req: Omit<MulticastRequest, 'partialPath'>,
): Promise<
  { ok: true; session: MulticastJoinResponse; local: string } | { ok: false; reason: string }
> {
  const joined = await joinSession(req);
  if (!joined.ok) return joined;
  const session = joined.value;
  if (session.fileBytes !== req.size)
    return { ok: false, reason: `the DP's file has ${session.fileBytes} bytes, not ${req.size}` };
  try {
    return { ok: true, session, local: await localAddressToward(req.baseUrl) };
  } catch (err) {
    return { ok: false, reason: `no route to the DP: ${errorMessage(err)}` };
  }
}

/** A multicast session's bytes as a stream (the caller verifies them as they pass). */
export type MulticastStream =
  | {
      kind: 'stream';
      sessionId: string;
      stream: Readable;
      /** udp-receiver's end: a reason when it did not exit cleanly. */
      finished: Promise<string | undefined>;
      /** Stops the receiver (the consumer gave up on the stream). */
      stop: () => void;
    }
  | { kind: 'unavailable'; reason: string };

/**
 * Joins the file's session and returns udp-receiver's output as it arrives, so an OS image is
 * extracted while it is received (issue 11): nothing is written to the boot environment's RAM
 * disk. The stream ends with the transfer; the caller hashes it and checks `finished`.
 */
export async function openMulticastStream(
  req: Omit<MulticastRequest, 'partialPath'>,
): Promise<MulticastStream> {
  const joined = await joinFrom(req);
  if (!joined.ok) return { kind: 'unavailable', reason: joined.reason };
  const run = startReceiver(req, joined.session, joined.local, 'stdout');
  const stream = run.child.stdout;
  if (!stream) return { kind: 'unavailable', reason: 'udp-receiver has no output' };
  return {
    kind: 'stream',
    sessionId: joined.session.sessionId,
    stream,
    finished: run.exited.then((r) =>
      r.code === 0 ? undefined : `udp-receiver failed (exit ${String(r.code)}): ${r.last}`,
    ),
    stop: () => run.child.kill('SIGKILL'),
  };
}

/** Receives the file by multicast when the DP offers a session; verified, or unavailable. */
export async function receiveByMulticast(req: MulticastRequest): Promise<MulticastResult> {
  const joined = await joinFrom(req);
  if (!joined.ok) return { kind: 'unavailable', reason: joined.reason };
  await unlink(req.partialPath).catch(() => undefined);
  const run = await startReceiver(req, joined.session, joined.local, { file: req.partialPath })
    .exited;
  const fail = async (reason: string): Promise<MulticastResult> => {
    await unlink(req.partialPath).catch(() => undefined);
    return { kind: 'unavailable', reason };
  };
  if (run.code !== 0) return fail(`udp-receiver failed (exit ${String(run.code)}): ${run.last}`);
  const got = await sha256File(req.partialPath).catch(() => '');
  if (got !== req.sha256) return fail('the multicast copy failed hash verification');
  return { kind: 'complete', sessionId: joined.session.sessionId };
}

export type FetchResult = DownloadResult & {
  method: 'multicast' | 'http';
  /** Why multicast was not used (when it was tried). */
  fallback?: string;
  sessionId?: string;
};

/**
 * One content file from one DP, by multicast when `multicast` is set and the DP offers a
 * session, else (or when that fails) by HTTP with resume. Both paths verify the SHA-256.
 */
export async function fetchContentFile(
  req: DownloadRequest & { multicast: boolean; receiverCommand?: string },
): Promise<FetchResult> {
  let fallback: string | undefined;
  if (req.multicast) {
    const m = await receiveByMulticast(req);
    if (m.kind === 'complete')
      return { kind: 'complete', method: 'multicast', sessionId: m.sessionId };
    fallback = m.reason;
  }
  const result = await downloadFile(req);
  return { ...result, method: 'http', ...(fallback !== undefined ? { fallback } : {}) };
}
