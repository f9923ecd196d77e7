import type { Updateable } from 'kysely';
import { recordDeviceActivity } from '../devices/repository.js';
import type { DeviceTable } from '../db/tables/index.js';
import type { SiteContext } from '../context.js';
import { inTransaction } from '../db/database.js';
import { recordChannelClosed, recordChannelOpened } from '../devices/presence-repository.js';

type ActivityKind = 'policy' | 'heartbeat' | 'push';

interface Pending {
  policy?: string;
  heartbeat?: string;
  push?: string;
  agentVersion?: string;
  policyVersion?: number;
  /** The push channel's last change on this process (ADR 0035). */
  channel?: 'opened' | 'closed';
  channelAt?: string;
}

/**
 * Client-activity timestamps (last policy request, heartbeat, push presence) change on every
 * request; writing each one would make the hottest path a write. They are gathered here and
 * flushed once a second in one transaction. Losing the last second on a crash only makes a
 * "last seen" slightly older: nothing the agent was promised is lost.
 */
export class ActivityRecorder {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: SiteContext) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(
    deviceId: string,
    kind: ActivityKind,
    extra: { agentVersion?: string; policyVersion?: number } = {},
  ): void {
    const p = this.pending.get(deviceId) ?? {};
    p[kind] = this.ctx.clock.now().toISOString();
    if (extra.agentVersion) p.agentVersion = extra.agentVersion;
    if (extra.policyVersion !== undefined) p.policyVersion = extra.policyVersion;
    this.pending.set(deviceId, p);
  }

  /** A push channel opened or closed on this process; written with the next flush. */
  channel(deviceId: string, change: 'opened' | 'closed'): void {
    const p = this.pending.get(deviceId) ?? {};
    p.channel = change;
    p.channelAt = this.ctx.clock.now().toISOString();
    this.pending.set(deviceId, p);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.flushNow())
      .catch((err: unknown) => this.ctx.log.error({ err }, 'activity flush failed'));
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      for (const [deviceId, p] of batch) {
        const set: Updateable<DeviceTable> = {};
        if (p.policy) set.last_policy_request_at = p.policy;
        if (p.heartbeat) set.last_heartbeat_at = p.heartbeat;
        if (p.push) set.push_seen_at = p.push;
        if (p.agentVersion) set.agent_version = p.agentVersion;
        if (p.policyVersion !== undefined) set.policy_version = p.policyVersion;
        const contact = [p.policy, p.heartbeat, p.push]
          .filter((x): x is string => x !== undefined)
          .sort()
          .pop();
        // Never backwards: a report ingested meanwhile may already have written a later time.
        if (contact !== undefined || Object.keys(set).length > 0)
          await recordDeviceActivity(tx, { deviceId, set, contact });
        const processId = this.ctx.processId;
        if (p.channel === 'opened') await recordChannelOpened(tx, { deviceId, processId });
        else if (p.channel === 'closed')
          await recordChannelClosed(tx, { deviceId, processId, at: p.channelAt ?? '' });
      }
    });
  }
}
