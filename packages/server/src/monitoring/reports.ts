import {
  ErrorCode,
  type ClientSettings,
  type InactiveClientRow,
  type InventoryOverdueRow,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { listObjectRows, subsetOf } from '../client-settings/repository.js';
import { resolveClientSettings, type SettingsSource } from '../client-settings/resultant.js';
import { currentSiteSettings } from '../site/site-settings.js';
import { activityCutoffs, inactiveDevices, inventoryCandidates } from './activity-repository.js';
import { resolveScope, scopeFilter } from './client-activity.js';

/** Rows a report returns at most. */
const REPORT_LIMIT = 5_000;

/** What the inventory report needs of the policy: the site's settings and a device's objects. */
export interface ClientSettingsSource {
  siteSettings(): Promise<ClientSettings>;
  sourcesOf(deviceId: string): Promise<SettingsSource[]>;
}

/** Report "inactive clients" of a collection, with when each of the five signals was last seen. */
export async function inactiveClients(
  ctx: SiteContext,
  actor: Actor,
  q: { collection?: string | undefined },
): Promise<InactiveClientRow[]> {
  authorize(actor, 'read');
  const scope = await resolveScope(ctx, q.collection, ErrorCode.COLLECTION_NOT_FOUND);
  const rows = await inactiveDevices(ctx.db.kysely, {
    collectionId: scopeFilter(scope),
    cutoffs: activityCutoffs(ctx.clock.now(), currentSiteSettings()),
    limit: REPORT_LIMIT,
  });
  return rows.map((r) => {
    const signals = [
      r.last_policy_request_at,
      r.last_heartbeat_at,
      r.last_hardware_inventory_at,
      r.last_software_inventory_at,
      r.last_status_at,
    ].filter((x): x is string => x !== null);
    return {
      deviceId: r.id,
      deviceName: r.name,
      lastPolicyRequestAt: r.last_policy_request_at,
      lastHeartbeatAt: r.last_heartbeat_at,
      lastHardwareInventoryAt: r.last_hardware_inventory_at,
      lastSoftwareInventoryAt: r.last_software_inventory_at,
      lastStatusAt: r.last_status_at,
      lastSignalAt: signals.sort().pop() ?? null,
      activityCheckedAt: r.activity_checked_at,
      activityCheckOutcome: r.activity_check_outcome,
      activityCheckDetail: r.activity_check_detail,
      obsoleteAt: r.obsolete_at,
    };
  });
}

/**
 * The slack the inventory report allows past a device's interval: 10%, at least 10 minutes (the
 * agent's client check uses the same rule for its `inventory` check).
 */
export function inventoryGraceSeconds(intervalSeconds: number): number {
  return Math.max(Math.round(intervalSeconds * 0.1), 600);
}

/**
 * Report "inventory not run within its schedule": devices whose last hardware inventory (or,
 * never, their enrolment) is older than their RESULTANT inventory interval plus the grace.
 */
export async function inventoryOverdue(
  ctx: SiteContext,
  actor: Actor,
  policy: ClientSettingsSource,
  q: { collection?: string | undefined },
): Promise<InventoryOverdueRow[]> {
  authorize(actor, 'read');
  const scope = await resolveScope(ctx, q.collection, ErrorCode.COLLECTION_NOT_FOUND);
  const db = ctx.db.kysely;
  const now = ctx.clock.now();
  const site = await policy.siteSettings();
  // Only devices older than the shortest interval any device can have are worth resolving.
  const intervals = (await listObjectRows(db))
    .map((o) => subsetOf(o).inventoryIntervalSeconds)
    .filter((v): v is number => v !== undefined);
  const shortest = Math.min(site.inventoryIntervalSeconds, ...intervals);
  const before = new Date(now.getTime() - shortest * 1000).toISOString();
  const candidates = await inventoryCandidates(db, {
    collectionId: scopeFilter(scope),
    before,
    limit: REPORT_LIMIT,
  });
  const rows: InventoryOverdueRow[] = [];
  for (const d of candidates) {
    const { settings, values } = resolveClientSettings(site, await policy.sourcesOf(d.id));
    const interval = settings.inventoryIntervalSeconds;
    const source = values.find((v) => v.key === 'inventoryIntervalSeconds')?.source;
    const from = Date.parse(d.last_hardware_inventory_at ?? d.enrolled_at);
    const due = from + (interval + inventoryGraceSeconds(interval)) * 1000;
    if (due >= now.getTime()) continue;
    rows.push({
      deviceId: d.id,
      deviceName: d.name,
      lastHardwareInventoryAt: d.last_hardware_inventory_at,
      inventoryIntervalSeconds: interval,
      intervalSource: source?.kind === 'object' ? source.objectName : 'Site default',
      dueAt: new Date(due).toISOString(),
      overdueSeconds: Math.floor((now.getTime() - due) / 1000),
    });
  }
  return rows.sort((a, b) => b.overdueSeconds - a.overdueSeconds);
}
