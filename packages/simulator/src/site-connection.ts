import { createHash, X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import {
  connect,
  createSecureContext,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type SecureContext,
} from 'node:tls';

const sha256Hex = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function chainOf(leaf: PeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  let current: PeerCertificate | undefined = leaf;
  while (current?.raw !== undefined && current.raw.length > 0) {
    const fp = sha256Hex(current.raw);
    if (seen.has(fp)) break;
    seen.add(fp);
    chain.push(current);
    current =
      'issuerCertificate' in current
        ? (current as DetailedPeerCertificate).issuerCertificate
        : undefined;
  }
  return chain;
}

/**
 * First contact, as the real agent does it: read the presented chain without verification, pick
 * the certificate whose SHA-256 the enrolment token pins, and use it as the only trust anchor
 * from then on. Nothing is sent on this connection.
 */
export function fetchPinnedCa(
  url: string,
  caFingerprint: string,
  timeoutMs = 15_000,
): Promise<string> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = target.port === '' ? 443 : Number(target.port);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`)),
    );
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.end();
      const pinned = chain.find((c) => sha256Hex(c.raw) === caFingerprint.toLowerCase());
      if (!pinned)
        return reject(new Error(`the server did not present the site CA ${caFingerprint}`));
      const pem = derToPem(pinned.raw);
      if (!new X509Certificate(pem).ca)
        return reject(new Error('the pinned certificate is not a CA certificate'));
      resolve(pem);
    });
    socket.once('error', (err: Error) =>
      reject(new Error(`cannot reach ${host}:${port}: ${err.message}`)),
    );
  });
}

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
  return { secureContext, rejectUnauthorized: true, checkServerIdentity: () => undefined };
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
    return res.text === '' ? undefined : (JSON.parse(res.text) as unknown);
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
