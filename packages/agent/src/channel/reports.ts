import {
  agentOps,
  StatusMessages,
  type ReportAck,
  type OutboxItem,
  type ReportBatch,
  type StatusMessageBody,
} from '@steward/protocol';
import { errorMessage, HttpStatusError, UnreachableError } from '../errors.js';
import type { DeadLetterFile } from '../outbox/dead-letter.js';
import type { Outbox } from '../outbox/outbox.js';
import type { PoisonGuard } from '../outbox/poison-guard.js';
import { statusMessage } from '../outbox/status-message.js';
import type { HttpsClient } from './https-client.js';

export interface FlushResult {
  sent: number;
  acknowledged: number;
  /** The site could not apply an inventory delta: the next inventory must be full. */
  inventoryResync: boolean;
  /** Items moved to the dead-letter file. */
  deadLettered: number;
}

/** What lets one bad item never stop the outbox (issue 7). */
export interface FlushSafety {
  deadLetters: DeadLetterFile;
  /** Remembers failing batches across flushes (one per agent). */
  guard: PoisonGuard;
  /** Raises a status message (through the outbox). */
  report: (message: StatusMessageBody) => Promise<void>;
  warn: (message: string) => void;
}

/**
 * An answer that may be caused by what the batch holds rather than by the site being away: the
 * site refused the body (400, 413, 422) or failed on it (500 and other 5xx but 503, which a site
 * gives when it is unavailable as a whole).
 */
export function mayBeItemFault(err: unknown): boolean {
  if (err instanceof HttpStatusError) return [400, 413, 422].includes(err.status);
  if (err instanceof UnreachableError && err.status !== undefined)
    return err.status >= 500 && err.status !== 503;
  return false;
}

function send(client: Pick<HttpsClient, 'call'>, items: OutboxItem[]): Promise<ReportAck> {
  const batch: ReportBatch = { items };
  return client.call(agentOps.device.reports, { body: batch });
}

async function deadLetter(
  safety: FlushSafety,
  outbox: Outbox,
  entries: { item: OutboxItem; code: string; message: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  // Kept on disk before it leaves the outbox: nothing vanishes without a trace.
  await safety.deadLetters.add(entries);
  await outbox.acknowledge(
    Number.MAX_SAFE_INTEGER,
    entries.map((e) => e.item.seq),
  );
  for (const { item, code, message } of entries) {
    safety.warn(
      `report item ${item.seq} (${item.type}) moved to the dead-letter file: ${code}: ${message}`,
    );
    // A refused notice about a refusal is not announced again: that could go on for ever.
    if (
      item.type === 'status:message' &&
      item.body.messageId === StatusMessages.REPORT_ITEM_DEAD_LETTERED.id
    )
      continue;
    await safety.report(
      statusMessage('REPORT_ITEM_DEAD_LETTERED', [String(item.seq), item.type, code, message], {
        seq: String(item.seq),
        itemType: item.type,
        code,
      }),
    );
  }
}

/** Applies an acknowledgement: refused items to the dead-letter file, stored ones deleted. */
async function applyAck(
  outbox: Outbox,
  items: OutboxItem[],
  ack: ReportAck,
  safety: FlushSafety,
): Promise<{ deleted: number; deadLettered: number }> {
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const refused = (ack.rejected ?? []).flatMap((r) => {
    const item = bySeq.get(r.seq);
    return item === undefined ? [] : [{ item, code: r.code, message: r.message }];
  });
  await deadLetter(safety, outbox, refused);
  const deleted = await outbox.acknowledge(
    ack.ackSeq,
    items.map((i) => i.seq),
  );
  return {
    deleted: deleted + refused.length,
    deadLettered: refused.length,
  };
}

/**
 * Sends the outbox in batches until it is empty. Items are deleted only when the site
 * acknowledged them (`ackSeq`) or refused them for good (`rejected`, moved to the dead-letter
 * file); the site skips sequence numbers it already stored, so a batch resent after a lost answer
 * is harmless. A batch that keeps failing in a way its content may cause is sent one item at a
 * time (PoisonGuard); an item that fails alone while the next one alone gets through is the
 * poison and is set aside, so one bad item never blocks the rest. Stops (without error) if the
 * site acknowledges nothing new, so a confused server cannot spin the agent.
 */
export async function flushOutbox(
  client: Pick<HttpsClient, 'call'>,
  outbox: Outbox,
  batchSize: number,
  safety: FlushSafety,
): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, acknowledged: 0, inventoryResync: false, deadLettered: 0 };
  const { guard } = safety;
  for (;;) {
    const items = await outbox.nextBatch(guard.batchSize(outbox.firstSeq, batchSize));
    if (items.length === 0) return result;
    let ack: ReportAck;
    try {
      ack = await send(client, items);
    } catch (err) {
      if (!mayBeItemFault(err)) throw err;
      if (items.length > 1) {
        if (!guard.batchFailed(items)) throw err;
        safety.warn(
          `a batch from seq ${items[0]?.seq ?? '?'} keeps failing (${errorMessage(err)}); sending one item at a time`,
        );
        continue;
      }
      const poison = await provePoison(client, outbox, items, err, safety);
      if (poison === undefined) throw err;
      result.sent += 2;
      result.acknowledged += poison.probe.deleted;
      result.inventoryResync ||= poison.probe.inventoryResync;
      result.deadLettered += poison.probe.deadLettered + 1;
      await deadLetter(safety, outbox, [poison.entry]);
      continue;
    }
    guard.succeeded(items);
    result.sent += items.length;
    if (ack.inventoryResync) result.inventoryResync = true;
    const applied = await applyAck(outbox, items, ack, safety);
    result.acknowledged += applied.deleted;
    result.deadLettered += applied.deadLettered;
    if (applied.deleted === 0) return result;
  }
}

function faultCode(err: unknown): string {
  if (err instanceof HttpStatusError) return err.code;
  return err instanceof UnreachableError ? `HTTP_${err.status ?? 0}` : 'UNKNOWN';
}

/**
 * After one item sent alone failed: returns it as the poison (with the outcome of the probe that
 * proved it) when it has failed alone before and the next item, sent alone, gets through. If
 * the probe fails too, the site is in trouble, not the item: that error is thrown and nothing is
 * set aside. Undefined when it cannot be told yet (the caller retries later).
 */
async function provePoison(
  client: Pick<HttpsClient, 'call'>,
  outbox: Outbox,
  failed: OutboxItem[],
  err: unknown,
  safety: FlushSafety,
) {
  const [item] = failed;
  if (item === undefined || !safety.guard.itemFailedAlone(item.seq)) return undefined;
  const probe = (await outbox.nextBatch(2))[1];
  if (probe === undefined) return undefined;
  const ack = await send(client, [probe]);
  safety.guard.succeeded([probe, item]);
  const applied = await applyAck(outbox, [probe], ack, safety);
  return {
    entry: { item, code: faultCode(err), message: errorMessage(err) },
    probe: { ...applied, inventoryResync: ack.inventoryResync },
  };
}
