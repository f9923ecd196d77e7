import { Agent, request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { skipHostnameCheck } from '@steward/protocol/node';
import {
  checkAnswer,
  requestOf,
  type CallArgs,
  type Operation,
  type ResultOf,
} from '@steward/protocol';

/**
 * First contact exactly as the real agent does it (the same shared function): read the presented
 * chain without verification, pick the certificate whose SHA-256 the enrolment token pins, and
 * use it as the only trust anchor from then on.
 */
export { fetchPinnedCa } from '@steward/protocol/node';

/**
 * TLS options after pinning. The hostname check is skipped on purpose, like the agent's: the
 * pinned site CA is the trust anchor, and the simulator reaches the site by 127.0.0.1.
 */
export function pinnedTls(caPem: string): {
  secureContext: SecureContext;
  rejectUnauthorized: true;
  checkServerIdentity: () => undefined;
} {
  // One secure context for the whole fleet: passing `ca` would parse the PEM and build a new
  // context on every one of 10,000 handshakes, CPU the simulator needs for the load itself.
  let secureContext = contexts.get(caPem);
  if (!secureContext) {
    secureContext = createSecureContext({ ca: caPem });
    contexts.set(caPem, secureContext);
  }
  return { secureContext, rejectUnauthorized: true, checkServerIdentity: skipHostnameCheck };
}

const contexts = new Map<string, SecureContext>();

export interface RawResponse {
  status: number;
  text: string;
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * HTTPS to the agent endpoint through ONE keep-alive pool shared by every virtual agent, with a
 * bounded number of sockets: thousands of devices share a few dozen connections, which is what a
 * load balancer in front of a site would see, and keeps the file-descriptor count low.
 */
export class SiteConnection {
  private agent: Agent;
  readonly base: URL;

  constructor(
    baseUrl: string,
    readonly caPem: string,
    maxSockets = 64,
    private readonly timeoutMs = 60_000,
  ) {
    this.base = new URL(baseUrl);
    this.agent = this.newAgent(maxSockets);
  }

  /** Resizes the pool between phases (a phase's concurrency = its socket count). */
  setMaxSockets(maxSockets: number): void {
    this.agent.destroy();
    this.agent = this.newAgent(maxSockets);
  }

  get socketCount(): number {
    const count = (m: NodeJS.ReadOnlyDict<unknown[]>): number =>
      Object.values(m).reduce((n, l) => n + (l?.length ?? 0), 0);
    return count(this.agent.sockets) + count(this.agent.freeSockets);
  }

  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<RawResponse> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.base),
        { method, agent: this.agent, headers: h, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** JSON request that must answer 2xx; returns the parsed body (unknown: the caller parses it). */
  async json(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<unknown> {
    const res = await this.request(method, path, headers, body);
    if (res.status < 200 || res.status >= 300)
      throw new HttpStatusError(res.status, res.text, `${method} ${path}`);
    if (res.text === '') return undefined;
    const parsed: unknown = JSON.parse(res.text);
    return parsed;
  }

  /**
   * Calls one agent-API operation (`agentOps`): method, path, query and body from the operation,
   * the answer checked against its response schema (compiled once per schema), so a server bug
   * shows up as a failed request in the phase's error count.
   */
  async call<O extends Operation>(
    op: O,
    args: CallArgs<O>,
    headers: Record<string, string>,
  ): Promise<ResultOf<O>> {
    const { method, path, body } = requestOf(op, args);
    return this.checked(
      op,
      await this.json(method, path, headers, body === undefined ? undefined : JSON.stringify(body)),
    );
  }

  /**
   * `call` with the body already serialised: report batches are built as JSON text from
   * templates (serialising 10,000 devices' inventories again would cost the load its CPU).
   */
  async callWithText<O extends Operation & { body: object; params?: undefined }>(
    op: O,
    text: string,
    headers: Record<string, string>,
  ): Promise<ResultOf<O>> {
    return this.checked(op, await this.json(op.method, op.path, headers, text));
  }

  private checked<O extends Operation>(op: O, value: unknown): ResultOf<O> {
    const answer = checkAnswer(op, value);
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  }

  close(): void {
    this.agent.destroy();
  }

  private newAgent(maxSockets: number): Agent {
    return new Agent({
      keepAlive: true,
      maxSockets,
      maxFreeSockets: maxSockets,
      scheduling: 'fifo',
      ...pinnedTls(this.caPem),
    });
  }
}
