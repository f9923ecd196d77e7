import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { agentOps, type NudgeAction } from '@steward/protocol';
import { parsePushFrame } from './parse.js';
import { pinnedTls } from './site-connection.js';
import type { VirtualAgent } from './virtual-agent.js';

export interface NudgeReceipt {
  requestId: string;
  deviceIndex: number;
  action: NudgeAction;
  /** performance.now() in this process when the frame arrived. */
  receivedAt: number;
}

type ReceiptListener = (receipt: NudgeReceipt) => void;

/**
 * The virtual fleet's push channels: one WebSocket per device (the real agent's one connection),
 * each answering every nudge at once with `nudge:ack` and recording when the frame arrived, so a
 * benchmark can measure fan-out from the moment it asked the site to the moment devices knew.
 */
export class PushChannels {
  private readonly sockets = new Map<number, WebSocket>();
  private readonly listeners = new Set<ReceiptListener>();
  readonly receipts = new Map<string, NudgeReceipt>();
  unexpectedCloses = 0;
  private closing = false;
  private readonly url: string;

  constructor(
    baseUrl: string,
    private readonly caPem: string,
    private readonly handshakeTimeoutMs = 60_000,
  ) {
    this.url = new URL(agentOps.device.push.path, baseUrl.replace(/^https:/, 'wss:')).toString();
  }

  get openCount(): number {
    let n = 0;
    for (const s of this.sockets.values()) if (s.readyState === WebSocket.OPEN) n++;
    return n;
  }

  onReceipt(listener: ReceiptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the device's push channel; resolves when the site's `hello` frame arrives (it is registered then). */
  connect(agent: VirtualAgent): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, {
        headers: agent.authHeaders,
        ...pinnedTls(this.caPem),
        perMessageDeflate: false,
        handshakeTimeout: this.handshakeTimeoutMs,
      });
      let hello = false;
      socket.on('message', (data: Buffer) => {
        const frame = parsePushFrame(data.toString('utf8'));
        if (!frame) return;
        switch (frame.type) {
          case 'hello':
            if (!hello) {
              hello = true;
              this.sockets.set(agent.index, socket);
              resolve();
            }
            break;
          case 'nudge': {
            const receipt: NudgeReceipt = {
              requestId: frame.requestId,
              deviceIndex: agent.index,
              action: frame.action,
              receivedAt: performance.now(),
            };
            socket.send(JSON.stringify({ type: 'nudge:ack', requestId: frame.requestId }));
            this.receipts.set(frame.requestId, receipt);
            for (const l of this.listeners) l(receipt);
            break;
          }
        }
      });
      socket.on('error', (err) => {
        if (!hello) reject(err);
      });
      socket.on('close', (code, reason) => {
        if (!hello)
          reject(new Error(`push channel closed before hello (${code} ${reason.toString()})`));
        else if (!this.closing) this.unexpectedCloses++;
        if (this.sockets.get(agent.index) === socket) this.sockets.delete(agent.index);
      });
    });
  }

  /**
   * Resolves once every request id in `ids` has a receipt, or at the deadline with what arrived.
   * Event-driven (no polling), so the measured end time is the arrival of the last frame.
   */
  waitForReceipts(
    ids: ReadonlySet<string>,
    timeoutMs: number,
  ): Promise<{ received: number; missing: number; lastAt: number | undefined }> {
    return new Promise((resolve) => {
      const seen = new Set<string>();
      let lastAt: number | undefined;
      for (const id of ids) {
        const r = this.receipts.get(id);
        if (r) {
          seen.add(id);
          lastAt = Math.max(lastAt ?? 0, r.receivedAt);
        }
      }
      const finish = (): void => {
        off();
        clearTimeout(timer);
        resolve({ received: seen.size, missing: ids.size - seen.size, lastAt });
      };
      const off = this.onReceipt((r) => {
        if (!ids.has(r.requestId) || seen.has(r.requestId)) return;
        seen.add(r.requestId);
        lastAt = Math.max(lastAt ?? 0, r.receivedAt);
        if (seen.size >= ids.size) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
      if (seen.size >= ids.size) finish();
    });
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    const all = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.readyState === WebSocket.CLOSED) {
              resolve();
              return;
            }
            const t = setTimeout(() => {
              s.terminate();
              resolve();
            }, 5_000);
            s.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            s.close(1000, 'simulator stopping');
          }),
      ),
    );
  }
}
