import { AgentPaths, ReportAck, type ReportBatch } from '@steward/protocol';
import type { Outbox } from '../outbox/outbox.js';
import { parseWith } from '../parse.js';
import type { HttpsClient } from './https-client.js';

export interface FlushResult {
  sent: number;
  acknowledged: number;
  /** The site could not apply an inventory delta: the next inventory must be full. */
  inventoryResync: boolean;
}

/**
 * Sends the outbox in batches until it is empty. Items are deleted only up to the `ackSeq` the
 * site returned; the site skips sequence numbers it already stored, so a batch resent after a
 * lost answer is harmless. Stops (without error) if the site acknowledges nothing new, so a
 * confused server cannot spin the agent.
 */
export async function flushOutbox(
  client: HttpsClient,
  outbox: Outbox,
  batchSize: number,
): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, acknowledged: 0, inventoryResync: false };
  for (;;) {
    const items = await outbox.nextBatch(batchSize);
    if (items.length === 0) return result;
    const batch: ReportBatch = { items };
    const ack = await client.json('POST', AgentPaths.reports, batch, (v) =>
      parseWith(ReportAck, v, 'report acknowledgement'),
    );
    result.sent += items.length;
    if (ack.inventoryResync) result.inventoryResync = true;
    const deleted = await outbox.acknowledge(ack.ackSeq);
    result.acknowledged += deleted;
    if (deleted === 0) return result;
  }
}
