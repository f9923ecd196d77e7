import {
  ErrorCode,
  REQUEST_ID_ATTRIBUTE,
  StatusMessages,
  type InventoryClassShape,
  type InventoryReportBody,
  type RejectedReportItem,
  type ReportAck,
  type ReportBatch,
  type StatusMessageBody,
  AppError,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { applyInventoryReport } from '../inventory/ingest.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { cachedClassCatalog } from '../inventory/classes.js';
import { inWriteTransaction } from '../db/group-commit.js';
import { applyDeploymentStates } from '../deployments/ingest.js';
import { screenReportItems } from './report-items.js';
import { applyTaskSequenceMessages } from '../task-sequences/run-ingest.js';
import { tieBootRuns } from '../task-sequences/boot-runs.js';
import { storeClientChecks } from '../client-check/ingest.js';
import { storeUpgradeReports } from '../agent-versions/upgrade-ingest.js';
import { storeUpdateScans } from '../updates/compliance/scan-repository.js';
import { insertDeviceStatusMessages } from '../status/repository.js';
import { completeDeviceActions } from '../devices/action-repository.js';
import {
  inventoryResyncWanted,
  lockReportSequences,
  recordReportBatch,
} from '../devices/repository.js';
import type { Queryable } from '../db/database.js';

const STATUS_CHUNK = 100;
/** The inventory classes a boot-environment run is tied to its device by (ADR 0103). */
const HARDWARE_CLASSES: ReadonlySet<string> = new Set(['systemIdentity', 'networkAdapter']);
type Device = { deviceId: string; name: string };

async function insertStatuses(
  ctx: SiteContext,
  tx: Queryable,
  device: Device,
  items: { seq: number; body: StatusMessageBody }[],
  receivedAt: string,
): Promise<void> {
  for (let i = 0; i < items.length; i += STATUS_CHUNK) {
    await insertDeviceStatusMessages(
      tx,
      items.slice(i, i + STATUS_CHUNK).map(({ seq, body: m }) => ({
        message_id: m.messageId,
        severity: m.severity,
        type: m.type,
        component: m.component,
        device_id: device.deviceId,
        device_seq: seq,
        machine: device.name,
        site_code: ctx.siteCode,
        at: m.at,
        received_at: receivedAt,
        insertion_strings: JSON.stringify(m.insertionStrings),
        attributes: JSON.stringify(m.attributes),
      })),
    );
  }
  const completed = items
    // The agent's message that closes a push request (DESIGN.md section 5).
    .filter((m) => m.body.messageId === StatusMessages.NUDGE_COMPLETED.id)
    .map((m) => m.body.attributes[REQUEST_ID_ATTRIBUTE])
    .filter((x): x is string => typeof x === 'string');
  if (completed.length > 0) {
    await completeDeviceActions(tx, {
      deviceId: device.deviceId,
      requestIds: completed,
      at: receivedAt,
    });
  }
}

/**
 * Stores one batch from a device's outbox in ONE transaction, exactly once per item whatever
 * the order batches arrive in: status messages are unique on (device, seq), and an inventory
 * report is applied only if it is newer than the last one applied (an older one is superseded).
 * A batch re-sent after a lost acknowledgement or a server crash is neither lost nor duplicated.
 * Items that can never be stored are refused one by one (`rejected`) and the rest is stored:
 * one bad item must never stop a device's reporting.
 */
export async function ingestReportBatch(
  ctx: SiteContext,
  device: Device,
  items: ReportBatch['items'],
): Promise<ReportAck> {
  const receivedAt = nowIso(ctx);
  const { accepted, rejected } = screenReportItems(items);
  const sorted = [...accepted].sort((a, b) => a.seq - b.seq);
  const statuses = sorted.flatMap((i) =>
    i.type === 'status:message' ? [{ seq: i.seq, body: i.body }] : [],
  );
  const inventories = sorted.flatMap((i) =>
    i.type === 'inventory:report' ? [{ seq: i.seq, body: i.body }] : [],
  );
  const deploymentStates = sorted.flatMap((i) =>
    i.type === 'deployment:state' ? [{ seq: i.seq, body: i.body }] : [],
  );
  const clientChecks = sorted.flatMap((i) =>
    i.type === 'client-check:report' ? [{ seq: i.seq, body: i.body }] : [],
  );
  const upgrades = sorted.flatMap((i) => (i.type === 'agent-upgrade:report' ? [i.body] : []));
  const updateScans = sorted.flatMap((i) =>
    i.type === 'update-scan:report' ? [{ seq: i.seq, body: i.body }] : [],
  );
  const catalog: ReadonlyMap<string, InventoryClassShape> =
    inventories.length > 0 ? await cachedClassCatalog(ctx) : new Map();
  // Set inside the transaction's callback, which narrowing does not follow: an object's field.
  const changed = { inventory: false };
  const resyncReasons: string[] = [];
  const ack = await inWriteTransaction(ctx.db, async (tx) => {
    // Row lock on PostgreSQL: inventory of one device is applied by one batch at a time.
    const row = await lockReportSequences(tx, {
      deviceId: device.deviceId,
      dialect: ctx.db.dialect,
    });
    if (!row)
      throw new AppError(401, ErrorCode.DEVICE_UNKNOWN, 'this device is not enrolled in the site');
    await insertStatuses(ctx, tx, device, statuses, receivedAt);
    await applyTaskSequenceMessages(tx, device.deviceId, statuses, Number(row.report_seq));
    await storeClientChecks(tx, device.deviceId, clientChecks, receivedAt);
    await storeUpgradeReports(tx, device.deviceId, upgrades, receivedAt);
    await storeUpdateScans(tx, device.deviceId, updateScans, receivedAt);
    const refused: RejectedReportItem[] = [
      ...rejected,
      ...(await applyDeploymentStates(tx, device.deviceId, deploymentStates, ctx.clock.now())),
    ];
    let inventorySeq = Number(row.inventory_seq);
    let hardwareChanged = false;
    for (const { seq, body } of inventories) {
      if (seq <= inventorySeq) continue;
      const r = await applyInventoryReport(
        tx,
        device.deviceId,
        body satisfies InventoryReportBody,
        receivedAt,
        catalog,
      );
      if (r.changedClasses.length > 0) changed.inventory = true;
      if (r.resync) resyncReasons.push(r.resync);
      if (r.changedClasses.some((c) => HARDWARE_CLASSES.has(c))) hardwareChanged = true;
      inventorySeq = seq;
    }
    // The installed system of a PXE or media run enrolled: its run becomes the device's.
    if (hardwareChanged) await tieBootRuns(tx, device.deviceId);
    for (const reason of resyncReasons) {
      await raiseSiteStatus(
        ctx,
        {
          message: 'INVENTORY_DELTA_NOT_APPLIED',
          insertionStrings: [device.name, reason],
          attributes: { deviceId: device.deviceId },
          deviceId: device.deviceId,
        },
        tx,
      );
    }
    const maxSeq = sorted[sorted.length - 1]?.seq ?? 0;
    await recordReportBatch(tx, {
      deviceId: device.deviceId,
      reportSeq: Math.max(Number(row.report_seq), maxSeq),
      inventorySeq,
      receivedAt,
      statusesReceived: statuses.length > 0,
    });
    const inventoryResync = await inventoryResyncWanted(tx, device.deviceId);
    // Every item of this batch is now stored (or was already), or refused for good: the agent
    // may delete up to here. A refused seq out of range is not counted (it is named in the list).
    const ackSeq = Math.max(
      maxSeq,
      ...refused.map((r) => r.seq).filter((seq) => Number.isSafeInteger(seq)),
    );
    return {
      ackSeq,
      inventoryResync,
      ...(refused.length > 0 ? { rejected: refused } : {}),
    };
  });
  if (changed.inventory)
    await ctx.bus.publish('inventory-changed', { deviceIds: [device.deviceId] });
  if (statuses.length > 0 || resyncReasons.length > 0)
    await ctx.bus.publish('status-ingested', { count: statuses.length });
  return ack;
}
