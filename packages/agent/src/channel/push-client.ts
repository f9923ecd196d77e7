import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { Value } from '@sinclair/typebox/value';
import { agentOps, PushFrame, type NudgeAction } from '@steward/protocol';
import { errorMessage, type AgentError } from '../errors.js';
import { parseJsonText } from '../parse.js';
import { Backoff } from './backoff.js';
import { classifyError } from './https-client.js';
import { DeviceRejectedError } from '../errors.js';

const PING_INTERVAL_MS = 30_000;
/** A connection that lived this long was healthy: the next failure starts backoff from 1 s again. */
const STABLE_AFTER_MS = 30_000;
const MAX_FRAME_BYTES = 64 * 1024;

export interface PushClientOptions {
  baseUrl: string;
  caPem: string;
  headers: Record<string, string>;
  onNudge: (action: NudgeAction, requestId: string) => void;
  /** The site revoked or forgot this device; the client has stopped. */
  onFatal: (err: DeviceRejectedError) => void;
  onConnected?: () => void;
  log: (message: string) => void;
}

/**
 * The push channel: a WebSocket on which the site only nudges (DESIGN.md section 5). Each nudge
 * is acknowledged at once with `nudge:ack`; the work itself goes through the agent's job queue and
 * plain HTTPS. Reconnects with full-jitter backoff; a ping every 30 s detects dead connections.
 */
export class PushClient {
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff = new Backoff();
  private readonly url: string;

  constructor(private readonly options: PushClientOptions) {
    this.url = new URL(
      agentOps.device.push.path,
      options.baseUrl.replace(/^https:/, 'wss:'),
    ).toString();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and cancels reconnects; resolves once the socket is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.clearPing();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'agent stopping');
    });
  }

  private connect(): void {
    if (this.stopped) return;
    let openedAt: number | undefined;
    let fatal = false;
    const socket = new WebSocket(this.url, {
      headers: this.options.headers,
      ca: this.options.caPem,
      rejectUnauthorized: true,
      // Hostname check skipped on purpose: the pinned site CA is the trust anchor (tls-pinning.ts).
      // ws types this hook as returning boolean; tls treats any falsy result as "no error".
      checkServerIdentity: () => false,
      handshakeTimeout: 30_000,
      maxPayload: MAX_FRAME_BYTES,
    });
    this.socket = socket;
    socket.on('unexpected-response', (req, res: IncomingMessage) => {
      readSmallBody(res).then(
        (text) => {
          const err: AgentError = classifyError('GET', agentOps.device.push.path, {
            status: res.statusCode ?? 0,
            text,
          });
          if (err instanceof DeviceRejectedError) {
            fatal = true;
            this.stopped = true;
            this.options.onFatal(err);
          } else {
            this.options.log(`push channel refused: ${err.code}: ${err.message}`);
          }
          req.destroy();
          socket.terminate();
        },
        () => socket.terminate(),
      );
    });
    socket.on('open', () => {
      openedAt = Date.now();
      this.options.log('push channel connected');
      this.startPing(socket);
      this.options.onConnected?.();
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      this.handleFrame(socket, rawToString(data));
    });
    socket.on('error', (err) => {
      if (!fatal) this.options.log(`push channel error: ${err.message}`);
    });
    socket.on('close', () => {
      this.clearPing();
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      if (openedAt !== undefined && Date.now() - openedAt >= STABLE_AFTER_MS) this.backoff.reset();
      const delay = this.backoff.next();
      this.options.log(`push channel closed; reconnecting in ${Math.round(delay / 1000)} s`);
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private handleFrame(socket: WebSocket, text: string): void {
    let frame: unknown;
    try {
      frame = parseJsonText(text, 'push frame');
    } catch (err) {
      this.options.log(`push channel: ${errorMessage(err)}`);
      return;
    }
    if (!Value.Check(PushFrame, frame)) {
      this.options.log('push channel: ignored a frame that is not a PushFrame');
      return;
    }
    switch (frame.type) {
      case 'nudge':
        socket.send(JSON.stringify({ type: 'nudge:ack', requestId: frame.requestId }));
        this.options.onNudge(frame.action, frame.requestId);
        return;
      case 'hello':
      case 'nudge:ack':
        return;
    }
  }

  private startPing(socket: WebSocket): void {
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    this.clearPing();
    this.pingTimer = setInterval(() => {
      if (!alive) {
        this.options.log('push channel: no pong, dropping the connection');
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
  }

  private clearPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function readSmallBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FRAME_BYTES) chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
