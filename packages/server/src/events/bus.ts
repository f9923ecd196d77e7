import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';
import { isRecord } from '@steward/protocol';

/**
 * Cross-process events. In one process (SQLite) an EventEmitter; with PostgreSQL, LISTEN/NOTIFY
 * so that every server process sees every event (DESIGN.md section 1), including its own.
 */
export interface BusEvents {
  /** Send these nudges to whichever process holds each device's push connection. */
  nudge: { items: { deviceId: string; requestId: string; action: string }[] };
  /**
   * The activity check pings these devices' push channels (ADR 0029): whichever process holds
   * one sends a WebSocket ping; the pong refreshes the device's push presence.
   */
  'activity-ping': { deviceIds: string[] };
  /** Devices were revoked: drop cached credentials and their push connections (one event per bulk revoke). */
  'device-revoked': { deviceIds: string[] };
  /** Inventory changed: re-evaluate collection membership for these devices. */
  'inventory-changed': { deviceIds: string[] };
  /** New status messages were stored (live viewers wake up and read after their cursor). */
  'status-ingested': { count: number };
  /** Policy content changed (inventory classes, client settings). */
  'policy-changed': { version: number };
  /** Site settings changed (activity threshold, ...): every process reloads them. */
  'site-settings-changed': Record<string, never>;
  /**
   * Deployments, programs, maintenance windows or collection membership changed: drop cached
   * assignment documents of these collections' members and of these devices (neither: all).
   */
  'deployments-changed': { collectionIds?: string[]; deviceIds?: string[] };
  /** A package got a new current version or was deleted: DP and agent assignments refresh. */
  'content-changed': { packageId: string };
  /** Client push targets were queued or brought forward: the push runner (scheduler) fills slots. */
  'push-targets-queued': { count: number };
  /** A catalog sync added updates: automatic deployment rules run after it (ADR 0072). */
  'update-catalog-synced': { sourceId: string; added: number };
  /** An automatic deployment rule was created, changed or deleted: its next run may move. */
  'update-rules-changed': Record<string, never>;
}
export type BusChannel = keyof BusEvents;

export interface Bus {
  publish<C extends BusChannel>(channel: C, payload: BusEvents[C]): Promise<void>;
  subscribe<C extends BusChannel>(channel: C, handler: (payload: BusEvents[C]) => void): () => void;
  close(): Promise<void>;
}

class LocalBus implements Bus {
  protected emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish<C extends BusChannel>(channel: C, payload: BusEvents[C]): Promise<void> {
    this.emitter.emit(channel, payload);
    return Promise.resolve();
  }
  subscribe<C extends BusChannel>(
    channel: C,
    handler: (payload: BusEvents[C]) => void,
  ): () => void {
    this.emitter.on(channel, handler);
    return () => this.emitter.off(channel, handler);
  }
  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

export function createLocalBus(): Bus {
  return new LocalBus();
}

// NOTIFY payloads are limited to 8000 bytes: large events are split into chunks.
const MAX_PAYLOAD = 7000;

class PostgresBus extends LocalBus {
  private client: pg.PoolClient | undefined;
  constructor(
    private readonly pool: pg.Pool,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    super();
  }
  async start(): Promise<void> {
    this.client = await this.pool.connect();
    this.client.on('notification', (msg) => {
      if (!msg.channel.startsWith(this.prefix) || !msg.payload) return;
      const channel = msg.channel.slice(this.prefix.length);
      try {
        this.emitter.emit(channel, JSON.parse(msg.payload));
      } catch (err) {
        this.log.warn({ err, channel }, 'bad bus payload');
      }
    });
    for (const ch of [
      'nudge',
      'activity-ping',
      'device-revoked',
      'inventory-changed',
      'status-ingested',
      'policy-changed',
      'site-settings-changed',
      'deployments-changed',
      'content-changed',
      'push-targets-queued',
      'update-catalog-synced',
      'update-rules-changed',
    ]) {
      await this.client.query(`listen "${this.prefix}${ch}"`);
    }
  }
  override async publish<C extends BusChannel>(channel: C, payload: BusEvents[C]): Promise<void> {
    for (const part of chunk(channel, payload)) {
      await this.pool.query('select pg_notify($1, $2)', [
        this.prefix + channel,
        JSON.stringify(part),
      ]);
    }
  }
  override async close(): Promise<void> {
    this.client?.release();
    this.client = undefined;
    await super.close();
  }
}

function chunk<C extends BusChannel>(channel: C, payload: BusEvents[C]): BusEvents[C][] {
  const text = JSON.stringify(payload);
  if (text.length <= MAX_PAYLOAD) return [payload];
  const key =
    channel === 'nudge'
      ? 'items'
      : channel === 'inventory-changed' ||
          channel === 'deployments-changed' ||
          channel === 'device-revoked' ||
          channel === 'activity-ping'
        ? 'deviceIds'
        : undefined;
  if (!key) return [payload];
  const fields: unknown = payload;
  const list = isRecord(fields) ? fields[key] : undefined;
  if (!Array.isArray(list) || list.length < 2) return [payload];
  const half = Math.ceil(list.length / 2);
  return [
    ...chunk(channel, { ...payload, [key]: list.slice(0, half) }),
    ...chunk(channel, { ...payload, [key]: list.slice(half) }),
  ];
}

/** A bus over PostgreSQL LISTEN/NOTIFY; channel names are prefixed by the schema so tests do not cross. */
export async function createPostgresBus(
  pool: pg.Pool,
  schema: string | undefined,
  log: Logger,
): Promise<Bus> {
  const bus = new PostgresBus(pool, `steward_${schema ?? 'public'}_`, log);
  await bus.start();
  return bus;
}
