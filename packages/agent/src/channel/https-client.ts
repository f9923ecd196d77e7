import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import {
  checkAnswer,
  ErrorBody,
  ErrorCode,
  isRecord,
  requestOf,
  successStatus,
  type CallArgs,
  type Operation,
  type ResultOf,
} from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';
import {
  AgentError,
  DeviceRejectedError,
  FATAL_DEVICE_CODES,
  HttpStatusError,
  UnreachableError,
} from '../errors.js';
import { parseJsonText } from '../parse.js';
import { Value } from '@sinclair/typebox/value';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Guard against a misbehaving server streaming an endless body into memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface HttpsClientOptions {
  /** Agent endpoint, e.g. https://site.example:8443 */
  baseUrl: string;
  /** The pinned site CA (PEM). */
  caPem: string;
  /** Sent on every request (the device auth header after enrolment). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

interface RawResponse {
  status: number;
  text: string;
}

/**
 * JSON over HTTPS to the site's agent endpoint, with a keep-alive connection pool, the pinned CA
 * as the only trust anchor, a timeout and a response size guard. Errors are classified:
 * UnreachableError (retry later), DeviceRejectedError (stop), HttpStatusError (the site said no).
 */
export class HttpsClient {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  /** The site's Date header of the last answer and the local time it arrived (client check). */
  lastSiteClock: { siteMs: number; localMs: number } | undefined;

  constructor(private readonly options: HttpsClientOptions) {
    this.base = new URL(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ...pinnedTlsOptions(options.caPem) });
  }

  /**
   * Calls one operation of the agent API (`agentOps`): method, path, query and body come from
   * the operation, and the answer is checked against its response schema (compiled once), so a
   * site answering something else is a BAD_RESPONSE error, not a half-read document.
   */
  async call<O extends Operation>(op: O, args: CallArgs<O>): Promise<ResultOf<O>> {
    const { method, path, body } = requestOf(op, args);
    const res = await this.send(method, path, body);
    const value = successStatus(op) === 204 ? undefined : this.parse(method, path, res);
    const answer = checkAnswer(op, value);
    if (!answer.ok) throw new AgentError('BAD_RESPONSE', answer.error);
    return answer.value;
  }

  /**
   * Calls an operation whose answer the caller verifies itself (a signed document: a bad one is
   * refused with a status message and the last good one kept, not failed as a transport error).
   */
  async callUnchecked<O extends Operation>(op: O, args: CallArgs<O>): Promise<unknown> {
    const { method, path, body } = requestOf(op, args);
    return this.parse(method, path, await this.send(method, path, body));
  }

  private parse(method: string, path: string, res: RawResponse): unknown {
    if (res.text === '')
      throw new AgentError(
        'BAD_RESPONSE',
        `${method} ${path} answered ${res.status} without a body`,
      );
    return parseJsonText(res.text, `response of ${method} ${path}`);
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(method: string, path: string, body: unknown): Promise<RawResponse> {
    const res = await this.raw(method, path, body);
    if (res.status >= 200 && res.status < 300) return res;
    throw classifyError(method, path, res);
  }

  private raw(method: string, path: string, body: unknown): Promise<RawResponse> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const opts: RequestOptions = { method, agent: this.agent, headers, timeout: this.timeoutMs };
    return new Promise((resolve, reject) => {
      const req = request(url, opts, (res) => {
        const date = Date.parse(res.headers.date ?? '');
        if (Number.isFinite(date)) this.lastSiteClock = { siteMs: date, localMs: Date.now() };
        readBody(res, this.maxResponseBytes).then(
          (text) => resolve({ status: res.statusCode ?? 0, text }),
          (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
        );
      });
      req.on('timeout', () => {
        req.destroy(
          new UnreachableError(`${method} ${url.pathname} timed out after ${this.timeoutMs} ms`),
        );
      });
      req.on('error', (err) => {
        if (err instanceof AgentError) reject(err);
        else
          reject(
            new UnreachableError(`${method} ${url.origin}${url.pathname} failed: ${err.message}`, {
              cause: err,
            }),
          );
      });
      req.end(payload);
    });
  }
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(new AgentError(ErrorCode.BODY_TOO_LARGE, `response larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) =>
      reject(new UnreachableError(`response interrupted: ${err.message}`, { cause: err })),
    );
  });
}

/** Maps a non-2xx answer onto the agent's error classes. */
export function classifyError(method: string, path: string, res: RawResponse): AgentError {
  let code = `HTTP_${res.status}`;
  let message = `${method} ${path} answered ${res.status}`;
  try {
    const body: unknown = res.text === '' ? undefined : JSON.parse(res.text);
    if (Value.Check(ErrorBody, body)) {
      code = body.code;
      message = body.message;
    } else if (isRecord(body) && typeof body['message'] === 'string') {
      message = body['message'];
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the generic code.
  }
  if ((res.status === 401 || res.status === 403) && FATAL_DEVICE_CODES.has(code)) {
    return new DeviceRejectedError(code, message);
  }
  // 5xx and 429 are transient: the same request will be retried.
  if (res.status >= 500 || res.status === 429)
    return new UnreachableError(`${code}: ${message}`, { status: res.status });
  return new HttpStatusError(res.status, code, message);
}
