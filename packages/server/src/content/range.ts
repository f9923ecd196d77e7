import { AppError, ErrorCode } from '@steward/protocol';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** What an HTTP Range header asks of a file of `size` bytes (single ranges only). */
export type RangeRequest =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-n` (inclusive ends, RFC 9110 §14.1.2). A header that is not
 * one byte range (several ranges, other units, garbage) is ignored and the whole file is sent, as
 * the RFC allows; a well-formed range outside the file is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'full' };
  const m = SINGLE.exec(header.trim());
  if (!m) return { kind: 'full' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

export type SatisfiableRange = Exclude<RangeRequest, { kind: 'unsatisfiable' }>;

/**
 * Starts the answer for a stored file of `size` bytes: the headers every content file carries and
 * the 416 refusal of a range outside it. The agents' route and the DPs' route answer Range the
 * same way (downloads resume against either); they differ only in how they open the bytes.
 */
export function beginFileReply(
  reply: FastifyReply,
  sha256: string,
  size: number,
  rangeHeader: string | undefined,
): SatisfiableRange {
  const range = parseRange(rangeHeader, size);
  void reply
    .header('accept-ranges', 'bytes')
    .header('etag', `"${sha256}"`)
    .header('content-type', 'application/octet-stream');
  if (range.kind === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${size}`);
    throw new AppError(416, ErrorCode.CONTENT_RANGE_NOT_SATISFIABLE, `the file has ${size} bytes`);
  }
  return range;
}

/** Sends `body` (the bytes of `range`) as 206 with its content-range, or the whole file as 200. */
export function sendFileBody(
  reply: FastifyReply,
  range: SatisfiableRange,
  size: number,
  body: Readable,
): FastifyReply {
  switch (range.kind) {
    case 'partial':
      return reply
        .status(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', String(range.end - range.start + 1))
        .send(body);
    case 'full':
      return reply.status(200).header('content-length', String(size)).send(body);
  }
}
