import { catalogEntry } from '@steward/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables/index.js';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';

/**
 * Raises a status message from the site server itself (component and severity come from the
 * catalog). Pass `tx` to write it in the same transaction as the change it reports.
 */
export async function raiseSiteStatus(
  ctx: SiteContext,
  msg: {
    messageId: number;
    insertionStrings?: string[];
    attributes?: Record<string, string>;
    deviceId?: string | null;
  },
  tx?: Kysely<Database>,
): Promise<void> {
  const entry = catalogEntry(msg.messageId);
  if (!entry) throw new Error(`status message ${msg.messageId} is not in the catalog`);
  const at = nowIso(ctx);
  await (tx ?? ctx.db.kysely)
    .insertInto('status_message')
    .values({
      message_id: msg.messageId,
      severity: entry.severity,
      type: entry.type,
      component: entry.component,
      device_id: msg.deviceId ?? null,
      machine: 'site-server',
      site_code: ctx.siteCode,
      at,
      received_at: at,
      insertion_strings: JSON.stringify(msg.insertionStrings ?? []),
      attributes: JSON.stringify(msg.attributes ?? {}),
    })
    .execute();
  if (!tx) await ctx.bus.publish('status-ingested', { count: 1 });
}
