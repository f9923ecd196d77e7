import { StatusMessages, type InsertionStrings, type StatusMessageName } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { insertStatusMessage } from './repository.js';
import type { Queryable } from '../db/database.js';

/** A status message the site server raises: its catalog name and as many strings as it declares. */
export interface SiteStatus<K extends StatusMessageName> {
  message: K;
  insertionStrings: InsertionStrings<K>;
  attributes?: Record<string, string>;
  deviceId?: string | null;
}

/**
 * Raises a status message from the site server itself (id, component and severity come from the
 * catalog; the compiler checks the insertion strings against it). Pass `tx` to write it in the
 * same transaction as the change it reports.
 */
export async function raiseSiteStatus<K extends StatusMessageName>(
  ctx: SiteContext,
  msg: SiteStatus<K>,
  tx?: Queryable,
): Promise<void> {
  const entry = StatusMessages[msg.message];
  const at = nowIso(ctx);
  await insertStatusMessage(tx ?? ctx.db.kysely, {
    message_id: entry.id,
    severity: entry.severity,
    type: entry.type,
    component: entry.component,
    device_id: msg.deviceId ?? null,
    machine: 'site-server',
    site_code: ctx.siteCode,
    at,
    received_at: at,
    insertion_strings: JSON.stringify(msg.insertionStrings),
    attributes: JSON.stringify(msg.attributes ?? {}),
  });
  if (!tx) await ctx.bus.publish('status-ingested', { count: 1 });
}
