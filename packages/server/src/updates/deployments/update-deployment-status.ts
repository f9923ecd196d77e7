import type {
  DeploymentDeviceState,
  UpdateDeploymentDevice,
  UpdateDeploymentStatus,
  UpdateEnforcementState,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import type { Queryable } from '../../db/database.js';
import { authorize } from '../../context.js';
import type { DeploymentService } from '../../deployments/service.js';
import * as repo from './deployment-repository.js';
import type { UpdateDeploymentService } from './update-deployment-service.js';
import { presenceOf } from '../../devices/presence-repository.js';
import { latestCheckOf } from '../../client-check/repository.js';
import { appliesTo, siteStateOf, type SiteState } from './site-state.js';

/** The most devices one status answer reads (monitoring pages past it use the devices list). */
const STATUS_DEVICES = 1000;

/**
 * Per device per update (ADR 0056): an update the device's own scan reports installed is
 * `installed` whatever the run said (compliance wins: the scan runs before and after each
 * install); a removed update is `removed`; a device the site is still waiting on shows what the
 * site knows of it (offline, not communicating, agent stopped: ADR 0073); otherwise the
 * device's state for the deployment.
 */
export function updateStateOf(
  device: Pick<DeploymentDeviceState, 'state'>,
  scanned: string | undefined,
  removed: boolean,
  site: SiteState | null = null,
): UpdateEnforcementState {
  if (removed) return 'removed';
  if (scanned === 'installed') return 'installed';
  if (site && appliesTo(device.state)) return site.state;
  return device.state;
}

/** Site-derived states of these devices at `now`, by device id. */
async function siteStates(
  db: Queryable,
  deviceIds: readonly string[],
  now: Date,
): Promise<Map<string, { site: SiteState | null; lastContactAt: string | null }>> {
  const service = new Map(
    (await latestCheckOf(db, 'service', deviceIds)).map((c) => [c.device_id, c]),
  );
  return new Map(
    (await presenceOf(db, deviceIds)).map((p) => {
      const check = service.get(p.id);
      const site = siteStateOf(
        { ...p, service_outcome: check?.outcome ?? null, service_detail: check?.detail ?? null },
        now,
      );
      return [p.id, { site, lastContactAt: p.last_contact_at }];
    }),
  );
}

/** Monitoring of update deployments: status summary, status by update, devices per update. */
export class UpdateDeploymentMonitor {
  constructor(
    private readonly ctx: SiteContext,
    private readonly updates: UpdateDeploymentService,
    private readonly deployments: DeploymentService,
  ) {}

  async devices(
    actor: Actor,
    idOrName: string,
    page: { limit?: number; offset?: number } = {},
  ): Promise<{ items: UpdateDeploymentDevice[]; total: number }> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const row = await this.updates.mustFind(db, idOrName);
    const states = await this.deployments.devices(actor, row.deployment_id, {
      limit: page.limit ?? 50,
      offset: page.offset ?? 0,
    });
    const deployed = await repo.deployedUpdates(db, [row.id]);
    const scanned = await repo.scannedStates(
      db,
      deployed.map((u) => u.update_id),
      states.items.map((d) => d.deviceId),
    );
    const byKey = new Map(scanned.map((s) => [`${s.device_id} ${s.update_id}`, s.state]));
    const site = await siteStates(
      db,
      states.items.map((d) => d.deviceId),
      this.ctx.clock.now(),
    );
    return {
      total: states.total,
      items: states.items.map((d) => {
        const known = site.get(d.deviceId);
        const derived = known?.site && appliesTo(d.state) ? known.site : null;
        return {
          deviceId: d.deviceId,
          hostname: d.hostname,
          state: d.state,
          reasonCode: d.reasonCode,
          reason: d.reason,
          lastRunAt: d.lastRunAt,
          outputTail: d.outputTail,
          restart: d.restart,
          siteState: derived?.state ?? null,
          siteReason: derived?.reason ?? null,
          lastContactAt: known?.lastContactAt ?? null,
          updates: deployed.map((u) => ({
            updateId: u.update_id,
            state: updateStateOf(
              d,
              byKey.get(`${d.deviceId} ${u.update_id}`),
              u.removed_at !== null,
              derived,
            ),
          })),
        };
      }),
    };
  }

  async status(actor: Actor, idOrName: string): Promise<UpdateDeploymentStatus> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const row = await this.updates.mustFind(db, idOrName);
    const summary = await this.deployments.summary(actor, row.deployment_id);
    const { items } = await this.devices(actor, row.id, { limit: STATUS_DEVICES });
    const deployed = await repo.deployedUpdates(db, [row.id]);
    return {
      deploymentId: row.id,
      summary,
      byUpdate: deployed.map((u) => {
        const counts: Record<string, number> = {};
        for (const d of items) {
          const s = d.updates.find((x) => x.updateId === u.update_id)?.state ?? d.state;
          counts[s] = (counts[s] ?? 0) + 1;
        }
        return { updateId: u.update_id, package: u.package, version: u.version, counts };
      }),
      failures: items.filter((d) => d.state === 'failed'),
      unreachable: items.filter((d) => d.siteState !== null),
    };
  }
}
