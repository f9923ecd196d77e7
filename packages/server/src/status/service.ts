import { sql } from 'kysely';
import {
  renderStatusMessage,
  type ListStatusMessagesQuery,
  type MessageType,
  type Severity,
  type StatusMessage,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { parseJsonColumn } from '../db/database.js';

const SEVERITIES: readonly Severity[] = ['informational', 'warning', 'error'];
const TYPES: readonly MessageType[] = ['milestone', 'detail', 'audit'];

/** The status-message viewer: filtered, paged backwards with `before`, tailed live with `after`. */
export async function listStatusMessages(
  ctx: SiteContext,
  actor: Actor,
  q: ListStatusMessagesQuery,
): Promise<{ items: StatusMessage[]; nextCursor: string | null }> {
  authorize(actor, 'read');
  const limit = q.limit ?? 100;
  let query = ctx.db.kysely.selectFrom('status_message').selectAll();
  if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
  if (q.component) query = query.where('component', '=', q.component);
  if (q.messageId) query = query.where('message_id', '=', q.messageId);
  if (q.severity) query = query.where('severity', '=', q.severity);
  if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
  if (q.until) query = query.where('at', '<=', new Date(q.until).toISOString());
  if (q.before) query = query.where(sql<boolean>`id < ${Number(q.before)}`);
  let rows;
  if (q.after) {
    rows = (
      await query
        .where(sql<boolean>`id > ${Number(q.after)}`)
        .orderBy('id', 'asc')
        .limit(limit)
        .execute()
    ).reverse();
  } else {
    rows = await query.orderBy('id', 'desc').limit(limit).execute();
  }
  const items = rows.map((r): StatusMessage => {
    const insertionStrings = parseJsonColumn<string[]>(r.insertion_strings);
    return {
      id: String(r.id),
      messageId: r.message_id,
      severity: SEVERITIES.find((s) => s === r.severity) ?? 'informational',
      type: TYPES.find((t) => t === r.type) ?? 'detail',
      component: r.component,
      deviceId: r.device_id,
      machine: r.machine,
      siteCode: r.site_code,
      at: r.at,
      receivedAt: r.received_at,
      insertionStrings,
      attributes: parseJsonColumn<Record<string, string>>(r.attributes),
      text: renderStatusMessage(r.message_id, insertionStrings),
    };
  });
  const last = items[items.length - 1];
  return { items, nextCursor: !q.after && items.length === limit && last ? last.id : null };
}
