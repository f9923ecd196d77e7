/**
 * A small in-process stand-in for the site's agent endpoint, speaking the protocol over real
 * HTTPS (openssl-made site CA and server certificate, chain including the CA) and a real
 * WebSocket, so the agent's channel code runs end to end in unit tests. Every request body is
 * checked against the protocol schemas: an agent sending anything off-contract fails the test.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  agentOps,
  canonicalJson,
  DEVICE_AUTH_HEADER,
  EnrollRequest,
  HeartbeatBody,
  OutboxItem,
  PushFrame,
  ReportBatch,
  type ClientSettings,
  type CustomClassDefinition,
  type PolicyDocument,
  type RejectedReportItem,
} from '@steward/protocol';
import { encodeEnrolmentToken } from '@steward/protocol/node';
import '../src/parse.js'; // registers the date-time format for schema checks

export interface TestCerts {
  caPem: string;
  caFingerprint: string;
  serverKey: string;
  serverChain: string;
}

/** A site CA and a server certificate for a name the agent does not connect by. */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'steward-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Steward Test Site CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run(
    'req',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=steward-test-site',
  );
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=DNS:steward-test-site\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const serverPem = readFileSync(join(dir, 'server.pem'), 'utf8');
  return {
    caPem,
    caFingerprint: createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex'),
    serverKey: readFileSync(join(dir, 'server.key'), 'utf8'),
    serverChain: serverPem + caPem,
  };
}

export const TEST_SETTINGS: ClientSettings = {
  policyIntervalSeconds: 3600,
  heartbeatIntervalSeconds: 3600,
  inventoryIntervalSeconds: 86_400,
  softwareScanIntervalSeconds: 604_800,
  softwareScanPaths: [],
  reportBatchSize: 3,
};

export class TestSite extends EventEmitter {
  readonly siteCode = 'T01';
  readonly secret = randomBytes(24).toString('base64url');
  readonly devices = new Map<string, string>(); // deviceId -> key
  readonly stored: OutboxItem[] = [];
  readonly heartbeats: HeartbeatBody[] = [];
  readonly acks: { requestId: string }[] = [];
  readonly sockets = new Set<WebSocket>();
  readonly badRequests: string[] = [];
  policy: PolicyDocument;
  /** Next report acknowledgement asks for a full inventory. */
  resyncOnce = false;
  /** Serve the policy with a broken signature. */
  tamperPolicy = false;
  /** Answer every device request with 403 DEVICE_REVOKED. */
  revoked = false;
  /** Drop every connection, as an unreachable site. */
  down = false;
  /** Items refused one by one in the acknowledgement, as a site refuses an item it cannot store. */
  readonly rejectSeqs = new Set<number>();
  /** A batch holding one of these fails as a whole with a 500 (a site that did not foresee it). */
  readonly failSeqs = new Set<number>();
  /** Every report batch received, as the sequence numbers it held. */
  readonly batches: number[][] = [];
  private readonly signing = generateKeyPairSync('ed25519');
  private readonly wss: WebSocketServer;
  private storedSeq = 0;

  private constructor(
    readonly certs: TestCerts,
    private readonly server: Server,
  ) {
    super();
    this.setMaxListeners(100);
    this.policy = {
      version: 1,
      issuedAt: new Date().toISOString(),
      siteCode: this.siteCode,
      settings: TEST_SETTINGS,
      inventoryClasses: [],
    };
    this.wss = new WebSocketServer({
      server,
      path: agentOps.device.push.path,
      verifyClient: (info, cb) => {
        const status = this.authStatus(info.req);
        if (status === undefined) cb(true);
        else
          cb(
            false,
            status,
            JSON.stringify({
              code: this.revoked ? 'DEVICE_REVOKED' : 'DEVICE_UNKNOWN',
              message: 'no',
            }),
            { 'content-type': 'application/json' },
          );
      },
    });
    this.wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('message', (data) => {
        const frame: unknown = JSON.parse(String(data));
        if (Value.Check(PushFrame, frame) && frame.type === 'nudge:ack')
          this.acks.push({ requestId: frame.requestId });
        else this.badRequests.push(`push frame ${String(data)}`);
        this.emit('change');
      });
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.emit('change');
      });
      this.emit('change');
    });
  }

  static async start(certs: TestCerts = makeCerts()): Promise<TestSite> {
    // The handler needs the site, and the site needs the server: the handler reads it late.
    const late: { site?: TestSite } = {};
    const server = createServer({ key: certs.serverKey, cert: certs.serverChain }, (req, res) => {
      late.site?.handle(req, res);
    });
    const site = new TestSite(certs, server);
    late.site = site;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return site;
  }

  get url(): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return `https://127.0.0.1:${port}`;
  }

  get publicKeyPem(): string {
    return this.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  token(fingerprint = this.certs.caFingerprint): string {
    return encodeEnrolmentToken({ url: this.url, caFingerprint: fingerprint, secret: this.secret });
  }

  setPolicy(changes: {
    settings?: Partial<ClientSettings>;
    inventoryClasses?: CustomClassDefinition[];
  }): void {
    this.policy = {
      ...this.policy,
      version: this.policy.version + 1,
      issuedAt: new Date().toISOString(),
      settings: { ...this.policy.settings, ...changes.settings },
      inventoryClasses: changes.inventoryClasses ?? this.policy.inventoryClasses,
    };
  }

  messages(id?: number) {
    return this.stored.flatMap((i) =>
      i.type === 'status:message' && (id === undefined || i.body.messageId === id) ? [i.body] : [],
    );
  }

  inventories() {
    return this.stored.flatMap((i) => (i.type === 'inventory:report' ? [i.body] : []));
  }

  /** Resolves when `predicate` holds, re-checked on every request and push event. No polling. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        this.off('change', check);
        resolve();
      };
      this.on('change', check);
    });
  }

  /** Sends a nudge on every open push connection; returns its request id. */
  nudge(action: 'policy:fetch' | 'inventory:collect' | 'deployments:evaluate'): string {
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    for (const socket of this.sockets)
      socket.send(JSON.stringify({ type: 'nudge', action, requestId }));
    return requestId;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authStatus(req: IncomingMessage): number | undefined {
    const header = req.headers[DEVICE_AUTH_HEADER];
    const [id, key] = typeof header === 'string' ? header.split('.') : [];
    if (id === undefined || this.devices.get(id) !== key) return 401;
    if (this.revoked) return 403;
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      this.route(req, body, res);
      this.emit('change');
    });
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private route(req: IncomingMessage, body: unknown, res: ServerResponse): void {
    const path = req.url ?? '';
    if (req.method === 'POST' && path === agentOps.device.enroll.path) {
      if (!Value.Check(EnrollRequest, body)) return this.bad(res, 'enroll body');
      if (body.secret !== this.secret)
        return this.send(res, 401, { code: 'TOKEN_INVALID', message: 'unknown token' });
      const deviceId = `dev-${this.devices.size + 1}`;
      const deviceKey = randomBytes(16).toString('hex');
      this.devices.set(deviceId, deviceKey);
      return this.send(res, 200, {
        deviceId,
        deviceKey,
        siteCode: this.siteCode,
        policySigningKey: this.publicKeyPem,
      });
    }
    const status = this.authStatus(req);
    if (status !== undefined) {
      return this.send(res, status, {
        code: this.revoked ? 'DEVICE_REVOKED' : 'DEVICE_UNKNOWN',
        message: 'device not allowed',
      });
    }
    if (req.method === 'GET' && path === agentOps.device.policy.path) {
      const payload = canonicalJson(this.policy);
      const signature = sign(null, Buffer.from(payload, 'utf8'), this.signing.privateKey).toString(
        'base64',
      );
      const served = this.tamperPolicy
        ? payload.replace(`"version":${this.policy.version}`, '"version":999')
        : payload;
      return this.send(res, 200, { payload: served, signature });
    }
    if (req.method === 'POST' && path === agentOps.device.reports.path) {
      if (!Value.Check(ReportBatch, body)) {
        const first = Value.Errors(ReportBatch, body).First();
        return this.bad(res, `report batch ${first?.path ?? ''} ${first?.message ?? ''}`);
      }
      this.batches.push(body.items.map((i) => i.seq));
      if (body.items.some((i) => this.failSeqs.has(i.seq)))
        return this.send(res, 500, { code: 'INTERNAL', message: 'internal error' });
      const rejected: RejectedReportItem[] = [];
      for (const item of body.items) {
        if (!Value.Check(OutboxItem, item)) return this.bad(res, `report item ${item.seq}`);
        if (this.rejectSeqs.has(item.seq)) {
          rejected.push({ seq: item.seq, code: 'REPORT_ITEM_INVALID', message: 'refused' });
          continue;
        }
        if (item.seq <= this.storedSeq) continue; // idempotent on (device, seq)
        this.stored.push(item);
        this.storedSeq = item.seq;
      }
      const inventoryResync = this.resyncOnce;
      this.resyncOnce = false;
      const ackSeq = Math.max(this.storedSeq, ...rejected.map((r) => r.seq));
      return this.send(res, 200, {
        ackSeq,
        inventoryResync,
        ...(rejected.length > 0 ? { rejected } : {}),
      });
    }
    if (req.method === 'POST' && path === agentOps.device.heartbeat.path) {
      if (!Value.Check(HeartbeatBody, body)) return this.bad(res, 'heartbeat body');
      this.heartbeats.push(body);
      return this.send(res, 204);
    }
    return this.send(res, 404, { code: 'ROUTE_NOT_FOUND', message: path });
  }

  private bad(res: ServerResponse, what: string): void {
    this.badRequests.push(what);
    this.send(res, 400, { code: 'INVALID_INPUT', message: what });
  }
}
