import type { SiteContext } from '../context.js';
import { deviceEnrolledWithToken, devicesEnrolledWithTokens } from '../devices/repository.js';

export interface EnrolledDevice {
  id: string;
  name: string;
  /** Null: enrolled, no inventory yet. */
  last_inventory_at: string | null;
}

interface Waiter {
  resolve: (d: EnrolledDevice) => void;
  /** The newest sighting (enrolled without inventory), for the timeout's message. */
  seen?: EnrolledDevice;
}

/**
 * Tells push attempts when the agent they installed has enrolled and reported inventory. One
 * subscription to `inventory-changed` (published by enrolment and by every inventory ingest, in
 * any process: the bus is LISTEN/NOTIFY on PostgreSQL) and one query per event for all waiting
 * attempts, instead of each attempt polling the database every second (which, with 40 agents
 * starting, was 40 queries a second on a loaded machine and up to a second late per host).
 * A slow backstop poll per waiter covers an event lost with a dropped bus connection.
 */
export class EnrolmentWaiter {
  private readonly waiting = new Map<string, Waiter>();
  private unsubscribe: (() => void) | undefined;
  private pending: Set<string> | undefined;

  constructor(
    private readonly ctx: SiteContext,
    private readonly backstopMs = 15_000,
  ) {}

  private start(): void {
    this.unsubscribe ??= this.ctx.bus.subscribe('inventory-changed', (e) => {
      this.check(e.deviceIds);
    });
  }

  /** Batches the device ids of events arriving while a check runs into the next one. */
  private check(deviceIds: readonly string[]): void {
    if (this.pending) {
      for (const id of deviceIds) this.pending.add(id);
      return;
    }
    this.pending = new Set(deviceIds);
    void (async () => {
      while (this.pending && this.pending.size > 0 && this.waiting.size > 0) {
        const ids = [...this.pending];
        this.pending.clear();
        try {
          const found = await devicesEnrolledWithTokens(this.ctx.db.kysely, {
            deviceIds: ids,
            tokenIds: [...this.waiting.keys()],
          });
          for (const d of found) if (d.enrolment_token_id) this.saw(d.enrolment_token_id, d);
        } catch (err) {
          // The backstop poll finds it.
          this.ctx.log.warn({ err }, 'client push: enrolment check failed');
        }
      }
      this.pending = undefined;
    })();
  }

  private saw(tokenId: string, d: EnrolledDevice): void {
    const w = this.waiting.get(tokenId);
    if (!w) return;
    w.seen = d;
    if (d.last_inventory_at) w.resolve(d);
  }

  /**
   * Resolves with the device enrolled with `tokenId` once it has reported inventory; rejects with
   * what `onTimeout` builds (given the device when it enrolled without inventory) after
   * `timeoutMs`, or when `signal` aborts.
   */
  async wait(
    tokenId: string,
    o: {
      timeoutMs: number;
      signal: AbortSignal;
      onTimeout: (enrolled: EnrolledDevice | undefined) => Error;
      onAbort: () => Error;
    },
  ): Promise<EnrolledDevice> {
    this.start();
    let timer: NodeJS.Timeout | undefined;
    let backstop: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<EnrolledDevice>((resolve, reject) => {
        const w: Waiter = { resolve };
        this.waiting.set(tokenId, w);
        const poll = async (): Promise<void> => {
          const d = await deviceEnrolledWithToken(this.ctx.db.kysely, tokenId).catch(
            () => undefined,
          );
          if (d) this.saw(tokenId, d);
        };
        // Once at the start: the agent may have enrolled and reported before we subscribed.
        void poll();
        backstop = setInterval(() => void poll(), this.backstopMs);
        timer = setTimeout(() => reject(o.onTimeout(w.seen)), o.timeoutMs);
        onAbort = () => reject(o.onAbort());
        if (o.signal.aborted) onAbort();
        else o.signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      clearTimeout(timer);
      clearInterval(backstop);
      if (onAbort) o.signal.removeEventListener('abort', onAbort);
      this.waiting.delete(tokenId);
    }
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
