import { ErrorCode, REQUEST_ID_ATTRIBUTE, type InventoryClassShape, type OutboxItem, type ReportAck, type StatusMessageBody } from '@steward/protocol';
import { sql } from 'kysely';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { AppError } from '../http/errors.js';
import { applyInventoryReport } from '../inventory/ingest.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { loadClassCatalog } from '../inventory/classes.js';

const STATUS_CHUNK = 100;
/** Agent message that closes a push request (DESIGN.md section 5; catalog 40031). */
const NUDGE_COMPLETED = 40031;

/**
 * Stores one batch from a device's outbox in ONE transaction, idempotent on (device, seq):
 * items at or below the stored sequence were already stored and are skipped, so a batch
 * re-sent after a lost acknowledgement or a server crash is neither lost nor duplicated.
 */
export async function ingestReportBatch(ctx: SiteContext, device: { deviceId: string; name: string }, items: OutboxItem[]): Promise<ReportAck> {
  const receivedAt = nowIso(ctx);
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  let changedInventory = false;
  let statusCount = 0;
  const resyncReasons: string[] = [];
  const catalog = items.some((i) => i.type === 'inventory:report') ? new Map((await loadClassCatalog(ctx)).map((c) => [c.name, c])) : new Map<string, InventoryClassShape>();
  const ack = await ctx.db.kysely.transaction().execute(async (tx) => {
    // Row lock on PostgreSQL: two batches of one device never interleave. SQLite serialises writers.
    const lockSuffix = ctx.db.dialect === 'postgres' ? sql` for update` : sql``;
    const row = await sql<{ report_seq: string | number; inventory_resync: number }>`select report_seq, inventory_resync from device where id = ${device.deviceId}${lockSuffix}`
      .execute(tx)
      .then((r) => r.rows[0]);
    if (!row) throw new AppError(401, ErrorCode.DEVICE_UNKNOWN, 'this device is not enrolled in the site');
    let seq = Number(row.report_seq);
    const fresh = sorted.filter((i) => i.seq > seq);
    const statuses: StatusMessageBody[] = [];
    for (const item of fresh) {
      switch (item.type) {
        case 'status:message':
          statuses.push(item.body);
          break;
        case 'inventory:report': {
          const r = await applyInventoryReport(tx, device.deviceId, item.body, receivedAt, catalog);
          if (r.changedClasses.length > 0) changedInventory = true;
          if (r.resync) resyncReasons.push(r.resync);
          break;
        }
      }
      seq = Math.max(seq, item.seq);
    }
    for (let i = 0; i < statuses.length; i += STATUS_CHUNK) {
      await tx
        .insertInto('status_message')
        .values(
          statuses.slice(i, i + STATUS_CHUNK).map((m) => ({
            message_id: m.messageId,
            severity: m.severity,
            type: m.type,
            component: m.component,
            device_id: device.deviceId,
            machine: device.name,
            site_code: ctx.siteCode,
            at: m.at,
            received_at: receivedAt,
            insertion_strings: JSON.stringify(m.insertionStrings),
            attributes: JSON.stringify(m.attributes),
          })),
        )
        .execute();
    }
    statusCount = statuses.length;
    const completed = statuses.filter((m) => m.messageId === NUDGE_COMPLETED).map((m) => m.attributes[REQUEST_ID_ATTRIBUTE]).filter((x): x is string => typeof x === 'string');
    if (completed.length > 0) {
      await tx.updateTable('device_action').set({ completed_at: receivedAt }).where('device_id', '=', device.deviceId).where('id', 'in', completed).where('completed_at', 'is', null).execute();
    }
    for (const reason of resyncReasons) {
      await raiseSiteStatus(ctx, { messageId: 50030, insertionStrings: [device.name, reason], attributes: { deviceId: device.deviceId }, deviceId: device.deviceId }, tx);
    }
    await tx
      .updateTable('device')
      .set({
        report_seq: seq,
        last_contact_at: receivedAt,
        ...(statuses.length > 0 ? { last_status_at: receivedAt } : {}),
      })
      .where('id', '=', device.deviceId)
      .execute();
    const after = await tx.selectFrom('device').select('inventory_resync').where('id', '=', device.deviceId).executeTakeFirst();
    return { ackSeq: seq, inventoryResync: (after?.inventory_resync ?? 0) === 1 };
  });
  if (changedInventory) await ctx.bus.publish('inventory-changed', { deviceIds: [device.deviceId] });
  if (statusCount > 0 || resyncReasons.length > 0) await ctx.bus.publish('status-ingested', { count: statusCount });
  return ack;
}
