import type { SiteContext } from '../context.js';
import type { BusEvents } from '../events/bus.js';
import { requestActions } from '../devices/client-notification.js';
import type { PushHub } from '../push/push-hub.js';
import { liveDevices, liveMembersOfAny } from '../devices/repository.js';

type DeploymentsChanged = BusEvents['deployments-changed'];

const CHUNK = 500;
const ACTION = 'deployments:evaluate' as const;

/**
 * Tells devices that what they should run changed (ADR 0007): drops cached assignment
 * documents in every server process (bus `deployments-changed`), then records one
 * `deployments:evaluate` request per affected device, like a collection-wide client
 * notification, and publishes them so whichever process holds a device's push connection
 * delivers it at once (a device offline now gets it when it reconnects).
 */
export class DeploymentNotifier {
  constructor(
    private readonly ctx: SiteContext,
    private readonly push: PushHub,
    /**
     * Drops this process's cached documents at once: on PostgreSQL the bus event arrives
     * asynchronously, and the administrator's next read must not see the old document.
     */
    private readonly dropLocal: (e: DeploymentsChanged) => void = () => undefined,
  ) {}

  private async changed(e: DeploymentsChanged): Promise<void> {
    this.dropLocal(e);
    await this.ctx.bus.publish('deployments-changed', e);
  }

  /** Members of these collections are affected (a deployment or window of theirs changed). */
  async collectionsChanged(collectionIds: readonly string[], requestedBy: string): Promise<number> {
    const ids = [...new Set(collectionIds)];
    if (ids.length === 0) return 0;
    await this.changed({ collectionIds: ids });
    const devices = await liveMembersOfAny(this.ctx.db.kysely, { collectionIds: ids });
    await this.nudge(devices, requestedBy);
    return devices.length;
  }

  /** Drops these devices' cached documents everywhere, without a nudge (nothing they run changed). */
  async forget(deviceIds: readonly string[]): Promise<void> {
    const ids = [...new Set(deviceIds)];
    if (ids.length > 0) await this.changed({ deviceIds: ids });
  }

  /** These devices are affected (their collection membership changed). */
  async devicesChanged(deviceIds: readonly string[], requestedBy: string): Promise<number> {
    const ids = [...new Set(deviceIds)];
    if (ids.length === 0) return 0;
    await this.changed({ deviceIds: ids });
    const devices: { id: string; push_seen_at: string | null }[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      devices.push(...(await liveDevices(this.ctx.db.kysely, { ids: ids.slice(i, i + CHUNK) })));
    }
    await this.nudge(devices, requestedBy);
    return devices.length;
  }

  private async nudge(
    devices: readonly { id: string; push_seen_at: string | null }[],
    requestedBy: string,
  ): Promise<void> {
    if (devices.length === 0) return;
    await requestActions(this.ctx, this.push, devices, {
      action: ACTION,
      requestedBy,
      now: this.ctx.clock.now(),
    });
  }
}
