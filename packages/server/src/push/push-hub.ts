import type { WebSocket } from 'ws';
import { Value } from '@sinclair/typebox/value';
import { PushFrame, type NudgeAction } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import type { ActivityRecorder } from '../agent-api/activity.js';
import { markActionsDelivered, undeliveredActions } from '../devices/action-repository.js';
import { inWriteTransaction } from '../db/group-commit.js';

const KEEPALIVE_MS = 30_000;
/** Requests older than this are not replayed when a device reconnects. */
const REPLAY_WINDOW_MS = 24 * 3600_000;

/**
 * Holds this process's push connections. The server only nudges over them ("fetch policy now",
 * "collect inventory now"); the agent then does the work over HTTPS. Nudges are published on
 * the bus, so whichever process holds a device's connection delivers it.
 */
export class PushHub {
  private sockets = new Map<string, WebSocket>();
  /** Sockets that have not answered the last keepalive ping (a half-open link is dropped). */
  private unanswered = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly ctx: SiteContext,
    private readonly activity: ActivityRecorder,
  ) {}

  start(): void {
    this.unsubscribe.push(
      this.ctx.bus.subscribe('nudge', ({ items }) => void this.deliver(items)),
      this.ctx.bus.subscribe('activity-ping', ({ deviceIds }) => this.ping(deviceIds)),
      this.ctx.bus.subscribe('device-revoked', ({ deviceIds }) => {
        for (const id of deviceIds) this.sockets.get(id)?.close(4003, 'device revoked');
      }),
    );
    this.timer = setInterval(() => this.keepalive(), KEEPALIVE_MS);
    this.timer.unref();
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sockets.values()) s.close(1001, 'server stopping');
    this.sockets.clear();
  }

  /** Records every channel this process holds as open again (its presence row was cleared). */
  reopenAll(): void {
    for (const deviceId of this.sockets.keys()) this.activity.channel(deviceId, 'opened');
  }

  get connectedCount(): number {
    return this.sockets.size;
  }

  /** The devices whose push channel this process holds. */
  connectedDeviceIds(): string[] {
    return [...this.sockets.keys()];
  }

  isConnected(deviceId: string): boolean {
    return this.sockets.has(deviceId);
  }

  /** Called when an authenticated agent opens its push channel. */
  attach(deviceId: string, socket: WebSocket): void {
    this.sockets.get(deviceId)?.close(4000, 'replaced by a newer connection');
    this.sockets.set(deviceId, socket);
    this.activity.record(deviceId, 'push');
    // Online follows the channel (ADR 0035): recorded on open, cleared on close.
    this.activity.channel(deviceId, 'opened');
    socket.on('message', (data: Buffer) => this.onFrame(deviceId, data.toString('utf8')));
    socket.on('pong', () => {
      this.unanswered.delete(socket);
      this.activity.record(deviceId, 'push');
    });
    socket.on('close', () => {
      if (this.sockets.get(deviceId) !== socket) return;
      this.sockets.delete(deviceId);
      this.activity.channel(deviceId, 'closed');
    });
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify({ type: 'hello', deviceId }));
    void this.replayPending(deviceId);
  }

  /** Creates the request rows' ids and publishes the nudges to every process. */
  async publish(
    items: { deviceId: string; requestId: string; action: NudgeAction }[],
  ): Promise<void> {
    await this.ctx.bus.publish('nudge', { items });
  }

  private onFrame(deviceId: string, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!Value.Check(PushFrame, frame)) return;
    if (frame.type === 'nudge:ack') this.activity.record(deviceId, 'push');
  }

  private async deliver(
    items: { deviceId: string; requestId: string; action: string }[],
  ): Promise<void> {
    const delivered: string[] = [];
    for (const item of items) {
      const socket = this.sockets.get(item.deviceId);
      if (!socket || socket.readyState !== socket.OPEN) continue;
      socket.send(
        JSON.stringify({ type: 'nudge', action: item.action, requestId: item.requestId }),
      );
      delivered.push(item.requestId);
    }
    if (delivered.length === 0) return;
    const at = this.ctx.clock.now().toISOString();
    try {
      // Shares a commit with other deliveries and nudge requests (one fsync for many on SQLite).
      await inWriteTransaction(this.ctx.db, (tx) =>
        markActionsDelivered(tx, { ids: delivered, at }),
      );
    } catch (err) {
      this.ctx.log.warn({ err }, 'could not record nudge delivery');
    }
  }

  private async replayPending(deviceId: string): Promise<void> {
    const since = new Date(this.ctx.clock.now().getTime() - REPLAY_WINDOW_MS).toISOString();
    const rows = await undeliveredActions(this.ctx.db.kysely, { deviceId, since });
    if (rows.length > 0)
      await this.deliver(rows.map((r) => ({ deviceId, requestId: r.id, action: r.action })));
  }

  /**
   * Pings the push channels this process holds among `deviceIds`. Only the pong records push
   * presence, so the activity check can tell an answer from a half-open connection.
   */
  private ping(deviceIds: readonly string[]): void {
    for (const deviceId of deviceIds) {
      const socket = this.sockets.get(deviceId);
      if (socket && socket.readyState === socket.OPEN) socket.ping();
    }
  }

  private keepalive(): void {
    // Presence is recorded when the pong comes back (attach's 'pong' handler), not on sending.
    // A socket that did not answer the previous ping is a half-open link (the machine went
    // away without closing): terminating it closes the channel, so the device reads offline.
    for (const socket of this.sockets.values()) {
      if (this.unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      if (socket.readyState !== socket.OPEN) continue;
      this.unanswered.add(socket);
      socket.ping();
    }
  }
}
