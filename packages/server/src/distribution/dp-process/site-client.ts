import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Value } from '@sinclair/typebox/value';
import {
  checkAnswer,
  DP_AUTH_HEADER,
  ErrorBody,
  requestOf,
  type CallArgs,
  type Operation,
  type ResultOf,
} from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';

/** The site answered with an error body, or not at all. `code` is the site's stable code. */
export class SiteError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readAll(res: IncomingMessage, max = 64 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) res.destroy(new Error('response too large'));
      else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function errorOf(res: IncomingMessage, what: string): Promise<SiteError> {
  const text = await readAll(res, 64 * 1024).catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const status = res.statusCode ?? 0;
  return Value.Check(ErrorBody, body)
    ? new SiteError(body.code, status, `${what}: ${body.message}`)
    : new SiteError('HTTP_ERROR', status, `${what}: HTTP ${status}`);
}

/**
 * HTTPS to the site's agent listener with the pinned site CA as the only anchor (the shared
 * pinning of @steward/protocol/node, as for agents), keep-alive, and the DP header once registered.
 */
export class SiteClient {
  private readonly agent: Agent;
  private auth: string | undefined;

  constructor(
    private readonly baseUrl: string,
    caPem: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ...pinnedTlsOptions(caPem) });
  }

  setCredentials(dpId: string, dpKey: string): void {
    this.auth = `${dpId}.${dpKey}`;
  }

  close(): void {
    this.agent.destroy();
  }

  private open(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<IncomingMessage> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...opts.headers };
    if (this.auth) headers[DP_AUTH_HEADER] = this.auth;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.baseUrl), {
        method,
        agent: this.agent,
        headers,
        timeout: 60_000,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      req.on('response', resolve);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', (err) =>
        reject(new SiteError('SITE_UNREACHABLE', 0, `${method} ${path}: ${err.message}`)),
      );
      req.end(payload);
    });
  }

  /**
   * Calls one operation of the agent API (`agentOps.distributionPoint`): path, query and body
   * from the operation, and the answer checked against its response schema (the site is outside
   * data too).
   */
  async call<O extends Operation>(op: O, args: CallArgs<O>): Promise<ResultOf<O>> {
    const { method, path, body } = requestOf(op, args);
    const res = await this.open(method, path, { body });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw await errorOf(res, `${method} ${path}`);
    if (status === 204) {
      res.resume();
      // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- ResultOf<O> is void for a 204 operation
      return undefined as ResultOf<O>;
    }
    const text = await readAll(res);
    const answer = checkAnswer(op, text === '' ? undefined : JSON.parse(text));
    if (!answer.ok)
      throw new SiteError('BAD_RESPONSE', status, `${method} ${path}: unexpected answer`);
    return answer.value;
  }

  /**
   * A file download (an operation with a binary answer): the body (200 or 206) as it streams;
   * errors are SiteErrors with the site's code.
   */
  async download<O extends Operation & { binaryResponse: true; method: 'GET' }>(
    op: O,
    args: CallArgs<O>,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const { path } = requestOf(op, args);
    const res = await this.open('GET', path, { headers, signal });
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 206) throw await errorOf(res, `GET ${path}`);
    return res;
  }
}
